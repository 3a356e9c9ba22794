package worker

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/protocols"
	_ "github.com/workerman-go/workerman/protocols/frame"     // registers frame://
	_ "github.com/workerman-go/workerman/protocols/http"      // registers http://
	_ "github.com/workerman-go/workerman/protocols/text"      // registers text://
	_ "github.com/workerman-go/workerman/protocols/websocket" // registers websocket:// and ws://
)

// Worker is a listening socket and the callbacks that serve its connections.
// Set its fields before the worker starts; the callbacks run on the
// process's event loop, one at a time.
type Worker struct {
	// Name shows in status tables and logs ("none" when empty).
	Name string
	// Count is how many processes serve this worker in multi-process mode.
	Count int
	// Transport is "tcp", "unix", "udp" or "ssl"; the scheme sets it, and
	// setting it changes how a protocol's address is bound: "unix" makes
	// "http:///run/app.sock" listen on a unix socket, "udp" makes
	// "text://:9000" read datagrams, "ssl" serves the protocol over TLS
	// with the TLS config.
	Transport string
	// TLS is the certificate setup of an "ssl" worker (see LoadTLS);
	// HandshakeTimeout bounds each handshake
	// (connection.DefaultHandshakeTimeout).
	TLS              *tls.Config
	HandshakeTimeout time.Duration
	// Protocol frames and encodes messages; the scheme sets it, nil is raw tcp.
	Protocol protocols.Protocol
	// ReusePort makes each process bind its own SO_REUSEPORT socket.
	ReusePort bool
	// User and Group are the account worker processes run as when started by root.
	User, Group string
	// Reloadable workers are replaced by `reload`; others only run OnWorkerReload.
	Reloadable bool
	// ID is the worker process's slot, 0..Count-1.
	ID int

	// MaxSendBufferSize and MaxPackageSize are given to every connection
	// (0: connection.DefaultMaxSendBufferSize and DefaultMaxPackageSize).
	MaxSendBufferSize int
	MaxPackageSize    int
	// CloseTimeout and WriteTimeout bound how long a connection's output may
	// wait for a peer that does not read (0: connection.DefaultCloseTimeout
	// and DefaultWriteTimeout; negative: no limit).
	CloseTimeout, WriteTimeout time.Duration

	OnWorkerStart  func(w *Worker)
	OnWorkerStop   func(w *Worker)
	OnWorkerReload func(w *Worker)
	OnConnect      func(c *connection.TcpConnection)
	OnMessage      func(c *connection.TcpConnection, data any)
	OnClose        func(c *connection.TcpConnection)
	OnError        func(c *connection.TcpConnection, code int, msg string)
	OnBufferFull   func(c *connection.TcpConnection)
	OnBufferDrain  func(c *connection.TcpConnection)
	// OnUdpMessage gets each package of a udp worker: for raw udp the whole
	// datagram as a []byte valid only until it returns.
	OnUdpMessage func(c *connection.UdpConnection, data any)

	socketName string
	scheme     string
	address    string
	err        error // from New

	file  *os.File // the bound listening socket
	addr  net.Addr
	ln    *eventloop.Listener
	pc    *eventloop.PacketConn
	conns map[uint64]*connection.TcpConnection
	loop  *eventloop.Loop

	tlsConf   *tls.Config // TLS as served, with ALPN filled in
	inherited bool        // file was handed over: its unix socket path is not ours to remove
}

var (
	registryMu sync.Mutex
	registry   []*Worker
)

// New makes a worker for socketName, "scheme://address": tcp, unix (a path:
// "unix:///run/app.sock"), or any registered protocol (text, frame, http, ...,
// or one of your own) over tcp. An empty name makes a worker with no socket,
// for timers and clients. The worker is remembered for RunAll; a bad name
// is reported when the worker starts.
func New(socketName string) *Worker {
	w := &Worker{Count: 1, Reloadable: true, socketName: socketName, conns: map[uint64]*connection.TcpConnection{}}
	w.err = w.parse()
	registryMu.Lock()
	registry = append(registry, w)
	registryMu.Unlock()
	return w
}

func (w *Worker) parse() error {
	if w.socketName == "" {
		return nil
	}
	scheme, address, ok := strings.Cut(w.socketName, "://")
	if !ok || scheme == "" {
		return fmt.Errorf("worker: bad socket name %q: want scheme://address", w.socketName)
	}
	w.scheme, w.address = scheme, address
	switch scheme {
	case "tcp", "unix", "udp":
		w.Transport = scheme
		return nil
	}
	p, ok := protocols.Lookup(scheme)
	if !ok {
		return fmt.Errorf("worker: %w %q in %q (registered: %s)", protocols.ErrUnknownScheme, scheme, w.socketName, strings.Join(protocols.Schemes(), ", "))
	}
	w.Transport = "tcp"
	w.Protocol = p
	return nil
}

// SocketName is the name the worker was made with.
func (w *Worker) SocketName() string { return w.socketName }

// DisplayName is Name, or "none" when it is empty.
func (w *Worker) DisplayName() string {
	if w.Name == "" {
		return "none"
	}
	return w.Name
}

// Addr is the address the worker listens on, known once it is bound; with
// port 0 it tells the port the system chose.
func (w *Worker) Addr() net.Addr { return w.addr }

// Bind creates the worker's listening socket if it has none yet. Starting a
// worker binds it; call Bind first to learn the address before that.
func (w *Worker) Bind() error {
	if w.err != nil {
		return w.err
	}
	if w.file != nil || w.socketName == "" {
		return nil
	}
	network := w.Transport
	if err := w.checkTLS(); err != nil {
		return err
	}
	if network == "" || network == "ssl" {
		network = "tcp"
	}
	lc := net.ListenConfig{Control: func(_, _ string, rc rawConn) error { return setListenOptions(rc, network, w.ReusePort) }}
	var sock interface {
		File() (*os.File, error)
		Close() error
	}
	var err error
	if network == "udp" {
		var pc net.PacketConn
		if pc, err = lc.ListenPacket(context.Background(), network, w.address); err == nil {
			sock, w.addr = pc.(*net.UDPConn), pc.LocalAddr()
		}
	} else {
		var ln net.Listener
		if ln, err = lc.Listen(context.Background(), network, w.address); err == nil {
			// The path stays until Unlisten. An interface, not *net.UnixListener:
			// plan9's has no such method.
			if ul, ok := ln.(interface{ SetUnlinkOnClose(bool) }); ok {
				ul.SetUnlinkOnClose(false)
			}
			sock, w.addr = ln.(interface {
				File() (*os.File, error)
				Close() error
			}), ln.Addr()
		}
	}
	if err != nil {
		return fmt.Errorf("worker: listen %s: %w", w.socketName, err)
	}
	f, err := sock.File()
	sock.Close()
	if err != nil {
		return fmt.Errorf("worker: listen %s: %w", w.socketName, err)
	}
	w.file = f
	return nil
}

// UseListener makes the worker serve a listening socket it was handed, such
// as one inherited from a parent process.
func (w *Worker) UseListener(f *os.File) error {
	if err := w.checkTLS(); err != nil {
		return err
	}
	var sock interface {
		Close() error
	}
	var err error
	if w.Transport == "udp" {
		var pc net.PacketConn
		if pc, err = net.FilePacketConn(f); err == nil {
			sock, w.addr = pc, pc.LocalAddr()
		}
	} else {
		var ln net.Listener
		if ln, err = net.FileListener(f); err == nil {
			sock, w.addr = ln, ln.Addr()
		}
	}
	if err != nil {
		return fmt.Errorf("worker: inherited socket for %s: %w", w.socketName, err)
	}
	sock.Close()
	w.file = f
	w.inherited = true
	return nil
}

// ListenerFile is the worker's bound listening socket, nil before Bind.
func (w *Worker) ListenerFile() *os.File { return w.file }

// Listen binds the socket if needed and starts accepting on the loop. Workers
// call it when they start; call it from OnWorkerStart for extra listeners.
func (w *Worker) Listen() error {
	return w.listen(false)
}

func (w *Worker) listen(paused bool) error {
	if err := w.Bind(); err != nil {
		return err
	}
	if w.file == nil || w.ln != nil || w.pc != nil {
		return nil
	}
	var err error
	w.loopOf().Exec(func() {
		if w.Transport == "udp" {
			w.pc, err = w.listenPacket(paused)
			return
		}
		w.ln, err = w.loop.Listen(w.file, paused, w.accept)
	})
	if err != nil {
		return fmt.Errorf("worker: %s: %w", w.socketName, err)
	}
	return nil
}

// listenPacket starts reading the worker's datagrams. Loop-only.
func (w *Worker) listenPacket(paused bool) (*eventloop.PacketConn, error) {
	o := &connection.PacketOptions{Protocol: w.Protocol, OnMessage: w.OnUdpMessage, MaxPackageSize: w.MaxPackageSize}
	pc, err := w.loop.ListenPacket(w.file, func(pc *eventloop.PacketConn, b []byte, from net.Addr) {
		connection.HandleDatagram(pc, b, from, o)
	})
	if err == nil && paused {
		pc.Pause()
	}
	return pc, err
}

// Unlisten stops accepting and closes the listening socket; connections
// already accepted stay.
func (w *Worker) Unlisten() {
	w.loopOf().Exec(w.closeSockets)
	w.closeFile()
}

func (w *Worker) closeFile() {
	if w.file == nil {
		return
	}
	w.file.Close()
	w.file = nil
	if w.Transport == "unix" && w.address != "" && !w.inherited {
		os.Remove(w.address)
	}
}

// PauseAccept stops accepting new connections; they wait in the backlog.
func (w *Worker) PauseAccept() {
	w.loopOf().Exec(func() {
		if w.ln != nil {
			w.ln.Pause()
		}
		if w.pc != nil {
			w.pc.Pause()
		}
	})
}

// ResumeAccept accepts again after PauseAccept.
func (w *Worker) ResumeAccept() {
	w.loopOf().Exec(w.resumeSockets)
}

// resumeSockets accepts connections or reads datagrams again. Loop-only.
func (w *Worker) resumeSockets() {
	if w.ln != nil {
		w.ln.Resume()
	}
	if w.pc != nil {
		w.pc.Resume()
	}
}

// closeSockets closes the loop's copies of the worker's sockets. Loop-only.
func (w *Worker) closeSockets() {
	if w.ln != nil {
		w.ln.Close()
		w.ln = nil
	}
	if w.pc != nil {
		w.pc.Close()
		w.pc = nil
	}
}

// Connections are the worker's live connections by id. Loop-only; do not
// modify the map.
func (w *Worker) Connections() map[uint64]*connection.TcpConnection { return w.conns }

func (w *Worker) loopOf() *eventloop.Loop {
	if w.loop == nil {
		w.loop = eventloop.Default()
	}
	return w.loop
}

// accept runs on the loop for every new connection.
func (w *Worker) accept(sock *eventloop.Conn) {
	c := connection.Accept(sock, connection.Options{
		Callbacks: connection.Callbacks{
			OnMessage:     w.OnMessage,
			OnClose:       w.OnClose,
			OnError:       w.OnError,
			OnBufferFull:  w.OnBufferFull,
			OnBufferDrain: w.OnBufferDrain,
		},
		Limits: connection.Limits{MaxSendBufferSize: w.MaxSendBufferSize, MaxPackageSize: w.MaxPackageSize,
			CloseTimeout: w.CloseTimeout, WriteTimeout: w.WriteTimeout},
		Protocol:         w.Protocol,
		Transport:        w.Transport,
		TLS:              w.tlsConf,
		HandshakeTimeout: w.HandshakeTimeout,
		Worker:           w.DisplayName(),
		Table:            w.conns,
	})
	if w.OnConnect != nil {
		w.call("OnConnect", func() { w.OnConnect(c) }, c.Destroy)
	}
}

// call runs a user callback on the loop; a panic is logged and counted, and
// onPanic (if any) runs.
func (w *Worker) call(where string, fn func(), onPanic func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			w.loopOf().Recovered(where, r)
			ok = false
			if onPanic != nil {
				onPanic()
			}
		}
	}()
	fn()
	return true
}

// errPanicked reports a start callback that panicked.
var errPanicked = errors.New("worker: callback panicked")
