//go:build !linux

package main

import "syscall"

// bindLater: only Linux defers the port of a bound socket to its connect.
func bindLater(_, _ string, _ syscall.RawConn) error { return nil }
