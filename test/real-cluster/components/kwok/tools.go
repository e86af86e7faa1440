//go:build tools

// Package tools keeps sigs.k8s.io/kwok/cmd/kwok (the standalone kwok
// controller) in this wrapper's go.mod; build.sh builds it from here.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
