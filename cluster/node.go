package cluster

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/workerman-go/workerman/worker"
)

// ErrUnavailable is wrapped by the errors of publishes that NATS cannot
// take: it has been unreachable for longer than OutageLimit, or the
// reconnect buffer is full.
var ErrUnavailable = errors.New("cluster: NATS unavailable")

// ErrTooLarge is wrapped by the error of a message over the server's
// maximum payload.
var ErrTooLarge = errors.New("cluster: message too large")

// node is this process in the cluster: its id, its NATS connection, and the
// queue that carries what NATS delivers to the event loop.
type node struct {
	id  uint64
	nc  *nats.Conn
	srv *server.Server // the in-process server of a run without a master

	ch   chan *nats.Msg // every subscription of the process delivers here
	mu   sync.Mutex
	room chan struct{} // the drain made room in a full inbox
	// drainPosted is when the pending drain was posted, zero when none is.
	drainPosted time.Time
	// inbox holds what pump took from ch until the loop's drain takes it;
	// spare is the slice the drain swaps in, so neither allocates.
	inbox, spare []*nats.Msg
	drainFn      func()

	hmu      sync.Mutex
	handlers map[*nats.Subscription]*handler
	// queued is the drain's handlers with messages of its batch. Loop-only.
	queued []*handler

	downSince atomic.Int64 // unix nanoseconds since NATS has been unreachable, 0 when connected
	slow      slowLog
}

// slowLog keeps the slow-consumer warnings to one a second: NATS reports
// every subscription that drops messages, and a process that falls behind
// must not also spend its time logging.
type slowLog struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func (s *slowLog) report(subject string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now := time.Now(); now.Sub(s.last) >= time.Second {
		slog.Warn("cluster: slow consumer: NATS dropped messages for this process, whose event loop falls behind",
			"subject", subject, "inbox", InboxSize, "reports since the last warning", s.suppressed)
		s.last, s.suppressed = now, 0
		return
	}
	s.suppressed++
}

var (
	selfID = newID()

	nodeOnce sync.Once
	theNode  *node
	nodeErr  error
)

func newID() uint64 {
	var b [8]byte
	for {
		rand.Read(b[:])
		if id := binary.BigEndian.Uint64(b[:]); id != 0 {
			return id
		}
	}
}

// get connects this process on first use.
func get() (*node, error) {
	nodeOnce.Do(func() { theNode, nodeErr = connect() })
	return theNode, nodeErr
}

// connect joins the cluster: through the master's embedded server when a
// master runs one, else through the configured external servers, else
// through a server of this process's own (a run without a master: tests,
// start -s, Windows). The connection retries for ever in the background, so
// connect never waits for an unreachable server.
func connect() (*node, error) {
	if err := checkToken("Prefix", Prefix); err != nil {
		return nil, err
	}
	n := &node{id: selfID, ch: make(chan *nats.Msg, InboxSize), room: make(chan struct{}, 1), handlers: map[*nats.Subscription]*handler{}}
	n.drainFn = n.drain
	n.downSince.Store(time.Now().UnixNano())
	opts := []nats.Option{
		nats.Name("workerman-go pid " + strconv.Itoa(os.Getpid())),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.RetryOnFailedConnect(true),
		nats.ReconnectBufSize(ReconnectBuffer),
		nats.ConnectHandler(func(*nats.Conn) { n.downSince.Store(0) }),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			n.downSince.Store(0)
			slog.Info("cluster: reconnected to NATS", "server", nc.ConnectedUrlRedacted())
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			n.downSince.CompareAndSwap(0, time.Now().UnixNano())
			slog.Warn("cluster: NATS connection lost; reconnecting", "err", err)
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			if errors.Is(err, nats.ErrSlowConsumer) {
				n.slow.report(subject)
				return
			}
			slog.Warn("cluster: NATS error", "subject", subject, "err", err)
		}),
	}
	url := os.Getenv(envServer)
	switch cfg := settings(); {
	case url != "":
		opts = append(opts, nats.Token(os.Getenv(envToken)))
		// Whatever this process starts does not need the secret.
		os.Unsetenv(envToken)
		os.Unsetenv(envServer)
	case cfg.url != "":
		url = cfg.url
		opts = append(opts, NATSOptions...)
	default:
		token := secret()
		o, err := cfg.serverOptions(token, false)
		if err != nil {
			return nil, err
		}
		if n.srv, err = startServer(o); err != nil {
			return nil, err
		}
		opts = append(opts, nats.InProcessServer(n.srv), nats.Token(token))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		if n.srv != nil {
			n.srv.Shutdown()
		}
		return nil, fmt.Errorf("cluster: connect to NATS %s: %w", url, err)
	}
	if nc.IsConnected() {
		n.downSince.Store(0)
	}
	n.nc = nc
	if err := addr.subscribeOwn(n); err != nil {
		nc.Close()
		return nil, err
	}
	go n.pump()
	return n, nil
}

// subscribe makes a subscription whose messages fn handles on the loop.
func (n *node) subscribe(subject, queue string, fn func(*nats.Msg)) (*nats.Subscription, error) {
	// The handler is known before the first message can arrive.
	n.hmu.Lock()
	defer n.hmu.Unlock()
	var sub *nats.Subscription
	var err error
	if queue != "" {
		sub, err = n.nc.ChanQueueSubscribe(subject, queue, n.ch)
	} else {
		sub, err = n.nc.ChanSubscribe(subject, n.ch)
	}
	if err != nil {
		return nil, fmt.Errorf("cluster: subscribe to %s: %w", subject, err)
	}
	n.handlers[sub] = &handler{fn: fn}
	return sub, nil
}

func (n *node) unsubscribe(sub *nats.Subscription) error {
	n.hmu.Lock()
	if h := n.handlers[sub]; h != nil {
		h.gone.Store(true)
		delete(n.handlers, sub)
	}
	n.hmu.Unlock()
	return sub.Unsubscribe()
}

// handler is one subscription's callback, and the messages of the drain's
// batch waiting for it.
type handler struct {
	fn      func(*nats.Msg)
	gone    atomic.Bool // unsubscribed: what is still waiting is dropped
	waiting []*nats.Msg // loop-only
}

// pump moves what NATS delivers into the inbox, as many messages as are
// waiting under one lock, and posts a drain unless one is pending. A full
// inbox blocks it, which fills ch, which makes NATS drop and report a slow
// consumer: memory stays bounded when the loop falls behind. Once a second
// it posts again a drain pending for a second: a loop that stops drops what
// was posted to it, and a loop started since must get one.
func (n *node) pump() {
	heal := time.NewTicker(time.Second)
	for {
		select {
		case m := <-n.ch:
			n.mu.Lock()
			for len(n.inbox) >= InboxSize {
				n.mu.Unlock()
				select {
				case <-n.room:
				case <-heal.C:
					n.mu.Lock()
					n.postDrain()
					n.mu.Unlock()
				}
				n.mu.Lock()
			}
			n.inbox = append(n.inbox, m)
		more:
			for len(n.inbox) < InboxSize {
				select {
				case m := <-n.ch:
					n.inbox = append(n.inbox, m)
				default:
					break more
				}
			}
		case <-heal.C:
			n.mu.Lock()
			if len(n.inbox) == 0 {
				n.mu.Unlock()
				continue
			}
		}
		n.postDrain()
		n.mu.Unlock()
	}
}

// postDrain posts a drain unless one is pending. A drain pending for a
// second is posted again: a loop that stops drops what was posted to it,
// and a loop started since must get one. n.mu held.
func (n *node) postDrain() {
	if now := time.Now(); n.drainPosted.IsZero() || now.Sub(n.drainPosted) >= time.Second {
		n.drainPosted = now
		worker.Post(n.drainFn)
	}
}

// drainBatch bounds the messages one drain handles, so that a backlog
// leaves the loop free for its sockets every few milliseconds.
const drainBatch = 4096

// drain handles the messages in the inbox, up to drainBatch of them, and
// posts itself again for the rest. It hands them out grouped by
// subscription, each group in arrival order (the order promised is per
// publisher and subject): the connections a subscription reaches get all of
// the batch's messages for them one after another, so they leave in one
// write, even when the loop writes out part of the round early (many
// connections or much data waiting). A loop that falls behind thus gets
// larger batches and fewer writes per message. Loop-only.
func (n *node) drain() {
	n.mu.Lock()
	n.drainPosted = time.Time{}
	batch := n.inbox
	more := len(batch) > drainBatch
	if more {
		n.inbox = batch[drainBatch:]
		batch = batch[:drainBatch:drainBatch]
		n.postDrain() // the rest, after this round's writes
	} else {
		n.inbox = n.spare[:0]
	}
	n.mu.Unlock()
	select {
	case n.room <- struct{}{}:
	default:
	}
	n.hmu.Lock()
	for i, m := range batch {
		if h := n.handlers[m.Sub]; h != nil {
			if len(h.waiting) == 0 {
				n.queued = append(n.queued, h)
			}
			h.waiting = append(h.waiting, m)
		}
		batch[i] = nil
	}
	n.hmu.Unlock()
	for i, h := range n.queued {
		for j, m := range h.waiting {
			if !h.gone.Load() {
				h.fn(m)
			}
			h.waiting[j] = nil
		}
		h.waiting = h.waiting[:0]
		n.queued[i] = nil
	}
	n.queued = n.queued[:0]
	if more {
		return
	}
	n.mu.Lock()
	n.spare = batch[:0]
	n.mu.Unlock()
}

// publish sends one message, with the errors callers can act on.
func (n *node) publish(subject, reply string, data []byte) error {
	if t := n.downSince.Load(); t != 0 {
		if d := time.Since(time.Unix(0, t)); d > OutageLimit {
			return fmt.Errorf("%w: unreachable for %s (OutageLimit %s)", ErrUnavailable, d.Round(time.Millisecond), OutageLimit)
		}
	}
	if err := n.fits(data); err != nil {
		return err
	}
	err := n.nc.PublishMsg(&nats.Msg{Subject: subject, Reply: reply, Data: data})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, nats.ErrMaxPayload):
		return fmt.Errorf("%w: %d bytes: %w", ErrTooLarge, len(data), err)
	case errors.Is(err, nats.ErrReconnectBufExceeded):
		return fmt.Errorf("%w: the reconnect buffer of %d bytes is full: %w", ErrUnavailable, ReconnectBuffer, err)
	}
	return fmt.Errorf("cluster: publish to %s: %w", subject, err)
}

// fits checks data against the server's maximum payload (known once
// connected).
func (n *node) fits(data []byte) error {
	if limit := n.nc.MaxPayload(); limit > 0 && int64(len(data)) > limit {
		return fmt.Errorf("%w: %d bytes exceed the server's maximum payload of %d", ErrTooLarge, len(data), limit)
	}
	return nil
}

// subject joins the prefix and tokens.
func subject(parts ...string) string {
	s := Prefix
	for _, p := range parts {
		s += "." + p
	}
	return s
}

// onLoop runs fn on the loop: now when called there, else posted.
func onLoop(fn func()) {
	if worker.OnLoop() {
		fn()
		return
	}
	worker.Post(fn)
}
