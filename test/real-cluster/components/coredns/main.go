// Command coredns is CoreDNS built with only the plugins kdisco's real-cluster
// tests use (the "build with external golang source code" pattern).
//
// Directives is CoreDNS's own order (core/dnsserver/zdirectives.go of the
// pinned version) filtered to the plugins compiled in: the ones imported below
// plus metadata, dnstap and transfer, which they import themselves (see
// `coredns -plugins`). When bumping COREDNS_VERSION, re-check the order
// against that file.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/autopath"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/debug"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/file"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/hosts"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/rewrite"
	_ "github.com/coredns/coredns/plugin/template"
	_ "github.com/coredns/coredns/plugin/whoami"
)

func init() {
	dnsserver.Directives = []string{
		"metadata",
		"reload",
		"bind",
		"debug",
		"ready",
		"health",
		"prometheus",
		"errors",
		"log",
		"dnstap",
		"loadbalance",
		"rewrite",
		"autopath",
		"cache",
		"template",
		"transfer",
		"hosts",
		"kubernetes",
		"file",
		"loop",
		"forward",
		"whoami",
	}
}

func main() { coremain.Run() }
