//go:build !linux

package main

import "errors"

func newEpollReaders(*sseRun) (streamReaders, error) {
	return nil, errors.New("sse: -readers needs Linux's epoll; run without it for a goroutine per client")
}
