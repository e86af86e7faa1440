//go:build tools

// Package tools keeps go.etcd.io/etcd/server/v3 (whose module root is etcd's
// main package) in this wrapper's go.mod. build.sh builds it with
// `go build -o bin/etcd go.etcd.io/etcd/server/v3`; etcd's own go.mod uses
// relative replace directives, so `go install ...@version` does not work.
package tools

import _ "go.etcd.io/etcd/server/v3"
