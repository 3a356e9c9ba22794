package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/workerman-go/workerman/internal/fdlimit"
)

const usage = `wmload drives a server on this machine and reports what it measured.

usage:
  wmload http [flags] http://127.0.0.1:8080/path   keep-alive (and pipelined) HTTP requests
  wmload sse  [flags] http://127.0.0.1:8080/path   many idle EventSource-like clients
  wmload echo [flags] 127.0.0.1:5678               text-protocol (one line) round trips
  wmload handshake [flags] https://127.0.0.1:8443/ new TLS connections, one request each, as fast as they go
  wmload table [-ref SERVER] [results.jsonl]       Markdown tables from labelled -json reports

Every run is bounded by a duration (-d) and a count (-n, or -c clients for sse),
and only loopback addresses (127.0.0.0/8, ::1, localhost) are accepted.
Run "wmload MODE -h" for the flags of a mode.
`

// Bounds on what a run may ask for.
const (
	maxDuration    = 10 * time.Minute
	maxConnections = 100_000
	maxDepth       = 1024
	maxRounds      = 20
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "wmload:", err)
		}
		os.Exit(2)
	}
}

// run is the whole program, minus the exit.
func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no mode given: http, sse, echo, handshake or table")
	}
	switch args[0] {
	case "http":
		return runHTTP(args[1:], stdout, stderr)
	case "sse":
		return runSSE(args[1:], stdout, stderr)
	case "echo":
		return runEcho(args[1:], stdout, stderr)
	case "handshake":
		return runHandshake(args[1:], stdout, stderr)
	case "table":
		return runTable(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown mode %q: want http, sse, echo, handshake or table", args[0])
}

// common holds the flags every mode has.
type common struct {
	duration    time.Duration
	dialTimeout time.Duration
	json        bool
	tls         bool   // the mode speaks TLS: its target is https
	files       uint64 // the descriptors this process may open, 0 if unknown
}

func (c *common) register(fs *flag.FlagSet) {
	fs.DurationVar(&c.duration, "d", 5*time.Second, "how long the run lasts (at most 10m)")
	fs.DurationVar(&c.dialTimeout, "dial-timeout", 5*time.Second, "how long one connect may take")
	fs.BoolVar(&c.json, "json", false, "print the report as one line of JSON")
}

// parse parses args and returns the one positional argument, the target.
func (c *common) parse(fs *flag.FlagSet, args []string) (target, error) {
	if err := fs.Parse(args); err != nil {
		return target{}, err
	}
	c.files = fdlimit.Raise()
	if fs.NArg() != 1 {
		return target{}, fmt.Errorf("%s: want exactly one target address after the flags, got %d arguments", fs.Name(), fs.NArg())
	}
	if c.duration <= 0 || c.duration > maxDuration {
		return target{}, fmt.Errorf("%s: -d %v is outside (0, %v]", fs.Name(), c.duration, maxDuration)
	}
	if c.dialTimeout <= 0 {
		return target{}, fmt.Errorf("%s: -dial-timeout %v must be positive", fs.Name(), c.dialTimeout)
	}
	t, err := parseTarget(fs.Arg(0))
	switch {
	case err != nil:
	case t.tls && !c.tls:
		err = fmt.Errorf("%s: target %q is https, which only the handshake mode speaks", fs.Name(), fs.Arg(0))
	case !t.tls && c.tls:
		err = fmt.Errorf("%s: target %q is not an https URL", fs.Name(), fs.Arg(0))
	}
	return t, err
}

// checkRange reports a flag value outside [lo, hi].
func checkRange(mode, name string, v, lo, hi int64) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s: -%s %d is outside [%d, %d]", mode, name, v, lo, hi)
	}
	return nil
}
