//go:build tools

// Package tools keeps the k8s.io/kubernetes commands that build.sh builds (in
// one `go build` invocation) in this wrapper's go.mod.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
