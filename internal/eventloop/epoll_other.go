//go:build !linux

package eventloop

const epollAvailable = false

func newPoller(l *Loop) (poller, error) { return newPortablePoller(l), nil }
