package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// headerFlags collects repeated -H "Name: value" flags.
type headerFlags []string

func (h *headerFlags) String() string { return strings.Join(*h, ", ") }

func (h *headerFlags) Set(v string) error {
	name, _, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(v, "\r\n") {
		return fmt.Errorf("header %q is not a single Name: value line", v)
	}
	*h = append(*h, v)
	return nil
}

func runHTTP(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("http", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		c       common
		lf      loadFlags
		headers headerFlags
	)
	c.register(fs)
	lf.register(fs)
	fs.Var(&headers, "H", `extra request header "Name: value" (repeatable)`)
	t, err := c.parse(fs, args)
	if err == nil {
		err = lf.check("http")
	}
	if err != nil {
		return err
	}
	req := buildRequest(t, headers, false)
	rt := lf.roundTrip(&c, t, req, httpFrame)
	return writeLoad(stdout, &c, measureRounds("http", "http://"+t.host+t.path, &lf, rt))
}

// buildRequest writes a GET for the target; an event-stream request says so
// in Accept as EventSource does.
func buildRequest(t target, headers []string, eventStream bool) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\n", t.path, t.host)
	if eventStream {
		b.WriteString("Accept: text/event-stream\r\nCache-Control: no-cache\r\n")
	}
	for _, h := range headers {
		b.WriteString(h)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

// httpFrame finds the first HTTP response in buf.
func httpFrame(buf []byte) (frameInfo, error) {
	h, n, err := parseResponse(buf)
	if err != nil || n == 0 {
		return frameInfo{}, err
	}
	return frameInfo{size: n, bad: h.status < 200 || h.status > 299, close: h.close}, nil
}

// loadFlags are the flags of the round-trip modes, http and echo.
type loadFlags struct {
	conns, depth, rounds int
	maxRequests          int64
}

func (l *loadFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&l.conns, "c", 100, "connections")
	fs.IntVar(&l.depth, "p", 1, "pipelining depth: requests written at once per connection")
	fs.Int64Var(&l.maxRequests, "n", 50_000_000, "most requests per round")
	fs.IntVar(&l.rounds, "rounds", 1, "rounds to run; the report gives the median req/s")
}

func (l *loadFlags) check(mode string) error {
	return errors.Join(
		checkRange(mode, "c", int64(l.conns), 1, maxConnections),
		checkRange(mode, "p", int64(l.depth), 1, maxDepth),
		checkRange(mode, "n", l.maxRequests, 1, 1<<40),
		checkRange(mode, "rounds", int64(l.rounds), 1, maxRounds),
	)
}

func (l *loadFlags) roundTrip(c *common, t target, req []byte, frame func([]byte) (frameInfo, error)) *roundTrip {
	return &roundTrip{
		addr:        t.addr,
		conns:       l.conns,
		depth:       l.depth,
		duration:    c.duration,
		maxRequests: l.maxRequests,
		dialTimeout: c.dialTimeout,
		request:     req,
		frame:       frame,
	}
}
