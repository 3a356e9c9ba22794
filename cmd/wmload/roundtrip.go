package main

import (
	"bytes"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// A roundTrip run is the engine of the http and echo modes: conns
// connections, each writing depth requests in one write and reading all
// their responses before the next batch, as wrk pipelines. Every response is
// timed from the write of its batch to the read that completed it, so with
// pipelining the percentiles describe responses, not batches.
type roundTrip struct {
	addr        string
	conns       int
	depth       int
	duration    time.Duration
	maxRequests int64
	dialTimeout time.Duration
	request     []byte                              // one request
	frame       func(buf []byte) (frameInfo, error) // finds the first response in buf
}

// frameInfo describes one response found in the read buffer.
type frameInfo struct {
	size  int  // 0: the buffer does not hold a whole response yet
	bad   bool // a response that reports failure (HTTP status outside 2xx)
	close bool // the server closes the connection after it
}

// maxResponseSize bounds the read buffer of a connection.
const maxResponseSize = 16 << 20

// roundTripResult is what one run measured, summed over its connections.
type roundTripResult struct {
	responses    uint64
	bad          uint64
	reconnects   uint64
	bytesRead    uint64
	bytesWritten uint64
	elapsed      time.Duration
	latency      histogram
	errs         errorCounts
}

// errorCounts counts failures by the step that failed and keeps the first
// message, which usually explains all the others.
type errorCounts struct {
	Connect   uint64 `json:"connect"`
	Handshake uint64 `json:"handshake,omitempty"` // TLS, in the handshake mode
	Write     uint64 `json:"write"`
	Read      uint64 `json:"read"`
	Parse     uint64 `json:"parse"`
	First     string `json:"first,omitempty"`
}

func (e *errorCounts) note(counter *uint64, err error) {
	*counter++
	if e.First == "" {
		e.First = err.Error()
	}
}

func (e *errorCounts) total() uint64 { return e.Connect + e.Handshake + e.Write + e.Read + e.Parse }

func (e *errorCounts) merge(o *errorCounts) {
	e.Connect += o.Connect
	e.Handshake += o.Handshake
	e.Write += o.Write
	e.Read += o.Read
	e.Parse += o.Parse
	if e.First == "" {
		e.First = o.First
	}
}

func (r *roundTrip) run() *roundTripResult {
	results, elapsed := runEach(r.conns, r.duration, r.maxRequests, r.connection)
	total := &roundTripResult{elapsed: elapsed}
	for i := range results {
		total.add(&results[i])
	}
	return total
}

// add sums what another connection measured into r.
func (r *roundTripResult) add(o *roundTripResult) {
	r.responses += o.responses
	r.bad += o.bad
	r.reconnects += o.reconnects
	r.bytesRead += o.bytesRead
	r.bytesWritten += o.bytesWritten
	r.latency.merge(&o.latency)
	r.errs.merge(&o.errs)
}

// runEach runs n clients at once, each filling its own result, until the
// run's deadline or the end of its shared budget of maxCount, and returns
// the results and how long the run took.
func runEach[T any](n int, d time.Duration, maxCount int64, client func(res *T, deadline time.Time, budget *atomic.Int64)) ([]T, time.Duration) {
	start := time.Now()
	deadline := start.Add(d)
	var budget atomic.Int64
	budget.Store(maxCount)
	results := make([]T, n)
	fanOut(n, func(i int) { client(&results[i], deadline, &budget) })
	return results, time.Since(start)
}

// fanOut runs fn(0) to fn(n-1), each on a goroutine of its own, and waits
// for them all.
func fanOut(n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { fn(i) })
	}
	wg.Wait()
}

// claim takes up to n requests from the run's budget.
func claim(budget *atomic.Int64, n int64) int64 {
	for {
		left := budget.Load()
		k := min(left, n)
		if k <= 0 || budget.CompareAndSwap(left, left-k) {
			return max(k, 0)
		}
	}
}

// connection drives one connection (and its replacements, if the server
// closes it) until the deadline or the end of the budget.
func (r *roundTrip) connection(res *roundTripResult, deadline time.Time, budget *atomic.Int64) {
	batch := bytes.Repeat(r.request, r.depth)
	buf := make([]byte, 64<<10)
	var c net.Conn
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	for time.Now().Before(deadline) {
		if c == nil {
			var err error
			if c, err = dialUntil(r.addr, nil, r.dialTimeout, deadline); err != nil {
				if !expired(deadline) {
					res.errs.note(&res.errs.Connect, err)
					pause(deadline)
				}
				continue
			}
			if res.bytesWritten > 0 {
				res.reconnects++
			}
		}
		k := claim(budget, int64(r.depth))
		if k == 0 {
			return
		}
		out := batch[:int(k)*len(r.request)]
		if _, err := c.Write(out); err != nil {
			if !expired(deadline) {
				res.errs.note(&res.errs.Write, err)
			}
			c.Close()
			c = nil
			continue
		}
		res.bytesWritten += uint64(len(out))
		var keep bool
		buf, keep = r.readBatch(c, buf, int(k), time.Now(), deadline, res)
		if !keep {
			c.Close()
			c = nil
		}
	}
}

// readBatch reads the n responses of a batch written at sent. It returns the
// (possibly grown) buffer and whether the connection can carry another batch.
func (r *roundTrip) readBatch(c net.Conn, buf []byte, n int, sent, deadline time.Time, res *roundTripResult) ([]byte, bool) {
	start, end := 0, 0
	var now time.Time
	for got := 0; ; {
		for got < n {
			f, err := r.frame(buf[start:end])
			if err != nil {
				res.errs.note(&res.errs.Parse, err)
				return buf, false
			}
			if f.size == 0 {
				break
			}
			start += f.size
			got++
			res.responses++
			if f.bad {
				res.bad++
			}
			res.latency.record(now.Sub(sent))
			if f.close {
				if got < n {
					res.errs.note(&res.errs.Read, fmt.Errorf("server closed the connection with %d pipelined requests unanswered", n-got))
				}
				return buf, false
			}
		}
		if got == n {
			return buf, true
		}
		if start > 0 {
			end = copy(buf, buf[start:end])
			start = 0
		}
		if end == len(buf) {
			if len(buf) >= maxResponseSize {
				res.errs.note(&res.errs.Parse, fmt.Errorf("response exceeds %d bytes", maxResponseSize))
				return buf, false
			}
			buf = append(buf, make([]byte, len(buf))...)
		}
		m, err := c.Read(buf[end:])
		now = time.Now()
		end += m
		res.bytesRead += uint64(m)
		if err != nil && m == 0 {
			if !expired(deadline) {
				res.errs.note(&res.errs.Read, fmt.Errorf("reading a response: %w", err))
			}
			return buf, false
		}
	}
}

// dialUntil connects to addr, from the local address from unless it is nil;
// the connection's reads and writes end at the deadline, which is how every
// run stops on time however the server behaves.
func dialUntil(addr string, from net.Addr, timeout time.Duration, deadline time.Time) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout, Deadline: deadline}
	if from != nil {
		d.LocalAddr, d.Control = from, bindLater
	}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	if err := c.SetDeadline(deadline); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// expired tells an error caused by the end of the run from a real one.
func expired(deadline time.Time) bool {
	return !time.Now().Before(deadline)
}

// pause waits a little after a failed connect so that a server that is down
// costs a few attempts a second, not a busy loop.
func pause(deadline time.Time) {
	time.Sleep(min(50*time.Millisecond, time.Until(deadline)))
}
