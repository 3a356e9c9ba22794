package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"
)

// The handshake mode measures how many new TLS connections a server takes a
// second: -c clients, each in a loop of connect, a full handshake (no session
// is ever resumed: the clients keep no session cache), one GET, its response,
// close. What bounds it is the server's handshake work, the asymmetric
// cryptography of every connection, and the client's own share of it, which
// runs on the same machine.

type handshakeRun struct {
	roundTrip                // addr, dialTimeout, request, and the reading of a response
	clients    int           // connections in flight at once
	conf       *tls.Config   // shared: it holds no session cache
	maxConns   int64         // connections to make at most
	version    string        // asked: "1.2" or "1.3"
	negotiated atomic.Value  // string: what the first handshake agreed on
	elapsed    time.Duration // of the whole run
}

// handshakeResult is what one client measured: the responses, errors and
// connect-to-response latency of a round trip, and its handshakes.
type handshakeResult struct {
	roundTripResult
	handshakes uint64
	handshake  histogram // from the start of the connect to the end of the handshake
}

// handshakeReport is the result of the handshake mode.
type handshakeReport struct {
	Mode       string  `json:"mode"`
	Target     string  `json:"target"`
	Clients    int     `json:"clients"`
	Version    string  `json:"tls"`        // the version asked for
	Negotiated string  `json:"negotiated"` // version, key exchange, cipher suite, certificate key
	Seconds    float64 `json:"seconds"`
	Handshakes uint64  `json:"handshakes"` // handshakes that succeeded
	// Completed connections did their handshake and had their response;
	// PerSecond is their rate.
	Completed uint64  `json:"completed"`
	PerSecond float64 `json:"handshakes_per_s"`
	// The slowest and fastest round's, when the table merges several.
	PerSecondMin float64       `json:"handshakes_per_s_min"`
	PerSecondMax float64       `json:"handshakes_per_s_max"`
	Non2xx       uint64        `json:"non2xx"`
	Handshake    latencyReport `json:"handshake_ms"`  // connect + TLS handshake
	Total        latencyReport `json:"connection_ms"` // connect to the end of the response
	ClientCPU    float64       `json:"client_cpu_s"`  // this process's user+system time over the run, 0 where unknown
	Errors       errorCounts   `json:"errors"`
}

var tlsVersions = map[string]uint16{"1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}

func runHandshake(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("handshake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := common{tls: true}
	var (
		r       handshakeRun
		headers headerFlags
	)
	c.register(fs)
	fs.IntVar(&r.clients, "c", 16, "clients, each making one connection after another")
	fs.Int64Var(&r.maxConns, "n", 10_000_000, "most connections in the run")
	fs.StringVar(&r.version, "tls", "1.3", "TLS version the clients offer, alone: 1.2 or 1.3")
	fs.Var(&headers, "H", `extra request header "Name: value" (repeatable)`)
	t, err := c.parse(fs, args)
	if err == nil {
		err = checkRange("handshake", "c", int64(r.clients), 1, maxConnections)
	}
	if err == nil {
		err = checkRange("handshake", "n", r.maxConns, 1, 1<<40)
	}
	version, ok := tlsVersions[r.version]
	if err == nil && !ok {
		err = fmt.Errorf("handshake: -tls %q is not 1.2 or 1.3", r.version)
	}
	if err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(t.host)
	r.conf = &tls.Config{
		// A load generator checks what it measures, not who answers.
		InsecureSkipVerify: true,
		ServerName:         host,
		MinVersion:         version,
		MaxVersion:         version,
		NextProtos:         []string{"http/1.1"},
	}
	r.addr, r.duration, r.dialTimeout = t.addr, c.duration, c.dialTimeout
	r.request, r.frame = buildRequest(t, headers, false), httpFrame
	cpu := selfCPU()
	res := r.run()
	rep := &handshakeReport{
		Mode: "handshake", Target: "https://" + t.host + t.path, Clients: r.clients, Version: r.version,
		Seconds: r.elapsed.Seconds(), Handshakes: res.handshakes, Completed: res.responses - res.bad,
		Non2xx: res.bad, Handshake: newLatencyReport(&res.handshake), Total: newLatencyReport(&res.latency),
		Errors: res.errs,
	}
	rep.PerSecond = float64(rep.Completed) / rep.Seconds
	rep.PerSecondMin, rep.PerSecondMax = rep.PerSecond, rep.PerSecond
	if cpu > 0 {
		rep.ClientCPU = selfCPU() - cpu
	}
	rep.Negotiated, _ = r.negotiated.Load().(string)
	if c.json {
		return writeJSON(stdout, rep)
	}
	writeHandshake(stdout, rep)
	return nil
}

func (r *handshakeRun) run() *handshakeResult {
	var results []handshakeResult
	results, r.elapsed = runEach(r.clients, r.duration, r.maxConns, r.client)
	total := &handshakeResult{}
	for i := range results {
		total.add(&results[i].roundTripResult)
		total.handshakes += results[i].handshakes
		total.handshake.merge(&results[i].handshake)
	}
	return total
}

// client makes one connection after another until the deadline or the end
// of the budget.
func (r *handshakeRun) client(res *handshakeResult, deadline time.Time, budget *atomic.Int64) {
	buf := make([]byte, 4<<10)
	for time.Now().Before(deadline) && claim(budget, 1) == 1 {
		start := time.Now()
		raw, err := dialUntil(r.addr, nil, r.dialTimeout, deadline)
		if err != nil {
			if !expired(deadline) {
				res.errs.note(&res.errs.Connect, err)
				pause(deadline)
			}
			continue
		}
		c := tls.Client(raw, r.conf)
		if err := c.Handshake(); err != nil {
			if !expired(deadline) {
				res.errs.note(&res.errs.Handshake, err)
			}
			raw.Close()
			continue
		}
		res.handshakes++
		res.handshake.record(time.Since(start))
		if r.negotiated.Load() == nil {
			r.negotiated.Store(describe(c.ConnectionState()))
		}
		if _, err := c.Write(r.request); err != nil {
			if !expired(deadline) {
				res.errs.note(&res.errs.Write, err)
			}
		} else {
			res.bytesWritten += uint64(len(r.request))
			buf, _ = r.readBatch(c, buf, 1, start, deadline, &res.roundTripResult)
		}
		c.Close() // with a close_notify, as a browser ends a connection
	}
}

// describe names what a handshake agreed on: "TLS 1.3, X25519MLKEM768,
// TLS_AES_128_GCM_SHA256, ECDSA P-256 certificate".
func describe(cs tls.ConnectionState) string {
	key := "no"
	if len(cs.PeerCertificates) > 0 {
		switch k := cs.PeerCertificates[0].PublicKey.(type) {
		case *ecdsa.PublicKey:
			key = "ECDSA " + k.Curve.Params().Name
		case *rsa.PublicKey:
			key = fmt.Sprintf("RSA %d", k.N.BitLen())
		case ed25519.PublicKey:
			key = "Ed25519"
		default:
			key = fmt.Sprintf("%T", k)
		}
	}
	return fmt.Sprintf("%s, %s, %s, %s certificate", tls.VersionName(cs.Version), cs.CurveID, tls.CipherSuiteName(cs.CipherSuite), key)
}

func writeHandshake(w io.Writer, r *handshakeReport) {
	fmt.Fprintf(w, "handshake %s: %d clients, TLS %s (%s), %.2fs\n", r.Target, r.Clients, r.Version, r.Negotiated, r.Seconds)
	fmt.Fprintf(w, "  completed   %s connections = %s handshakes/s (%s handshakes)\n", group(float64(r.Completed)), group(r.PerSecond), group(float64(r.Handshakes)))
	writeLatency(w, "handshake", &r.Handshake)
	writeLatency(w, "connection", &r.Total)
	if r.ClientCPU > 0 {
		fmt.Fprintf(w, "  client CPU  %.2fs (%.2f cores, %.0f µs a connection)\n", r.ClientCPU, r.ClientCPU/r.Seconds, r.ClientCPU*1e6/float64(max(r.Handshakes, 1)))
	}
	writeErrors(w, &r.Errors)
	fmt.Fprintf(w, "  non-2xx %d\n", r.Non2xx)
}
