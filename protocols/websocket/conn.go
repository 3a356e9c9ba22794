package websocket

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/workerman-go/workerman/protocols"
)

var (
	// ErrNotOpen: the connection has no WebSocket (yet): Ping and Close need
	// one whose handshake is complete.
	ErrNotOpen = errors.New("websocket: connection is not open")
	// ErrQueueFull: a message sent before the handshake completed was dropped
	// because those already waiting fill the send buffer.
	ErrQueueFull = errors.New("websocket: send buffer full before the handshake completed, message dropped")
	// ErrClosing: a Close frame went out, so no message may follow it.
	ErrClosing = errors.New("websocket: closing handshake under way, message dropped")
)

// closeTimeout is how long Close waits for the peer's Close frame before it
// closes the connection anyway.
const closeTimeout = time.Second

// maxCachedText is the longest text message a connection remembers so that
// a repeat of it (heartbeats, polls) is delivered without a new string.
const maxCachedText = 256

// maxKeptFragments is the largest reassembly buffer a connection keeps for
// its next fragmented message.
const maxKeptFragments = 64 << 10

// endpoint is what a server Protocol or a Client gives each of its
// connections: the hooks, and the keep-alive of them all.
type endpoint struct {
	client       bool
	onPing       func(c protocols.Conn, payload []byte)
	onPong       func(c protocols.Conn, payload []byte)
	onCloseFrame func(c protocols.Conn, code int, reason string)
	keepAlive
}

// connState is the protocol's state of one connection. Loop-only.
type connState struct {
	c  protocols.Conn
	ep *endpoint

	open    bool   // the handshake is complete: bytes are frames
	closing bool   // a Close frame went out: data frames are dropped
	heard   bool   // a frame arrived since the last keep-alive ping
	pinged  bool   // a keep-alive ping is unanswered
	queued  []byte // frames sent before the handshake completed
	hs      *handshakeConn
	key     string // a client's expected Sec-WebSocket-Accept

	fragOp byte       // the opcode of the fragmented message being reassembled, 0 when none
	fragZ  bool       // that message is compressed: stream inflates it as it comes, or frag holds its DEFLATE bytes
	text   utf8Stream // checks a fragmented text message as it comes
	fragIn int        // the payload bytes of its fragments so far
	frag   []byte
	stream *stream // with fragZ, unless the process streams maxStreams messages already

	z *deflate // permessage-deflate, when negotiated

	lastText string // the last short text message, and the same boxed for OnMessage
	lastMsg  any
	scratch  []byte // control frames on their way to SendRaw

	resume func()            // c.ResumeRecv, made once, for protocols.HoldWhileFull
	closer protocols.TimerID // Close's wait for the peer's Close frame
	slot   int               // index in the keep-alive set, -1 when not in it
}

func newState(c protocols.Conn, ep *endpoint) *connState {
	st := &connState{c: c, ep: ep, slot: -1, resume: c.ResumeRecv}
	c.SetProtocolState(st)
	return st
}

// opened completes the handshake: frames sent before it follow the
// handshake's answer, and the keep-alive starts.
func (st *connState) opened() {
	st.open = true
	if len(st.queued) > 0 {
		st.c.SendRaw(st.queued)
		st.queued = nil
	}
	st.ep.track(st)
}

// closed forgets the connection. Loop-only.
func (st *connState) closed() {
	st.ep.untrack(st)
	st.endFragments()
	if st.z != nil {
		st.z.closed()
	}
	if st.closer != 0 {
		st.c.Loop().DelTimer(st.closer)
		st.closer = 0
	}
}

// input frames one frame: its whole length, 0 while its header is
// incomplete (or while the send buffer is at its limit, so that the pong or
// Close frame it may need is never dropped), or an error after answering a
// broken rule with a Close frame.
func (st *connState) input(buf []byte) (int, error) {
	if protocols.HoldWhileFull(st.c, st.resume) {
		return 0, nil // a pong or Close frame could not be queued: wait for the drain
	}
	h, ok := parseHeader(buf)
	if !ok {
		return 0, nil
	}
	if code, why := st.check(&h); code != 0 {
		return 0, st.fail(code, why)
	}
	limit := uint64(st.c.PackageLimit())
	if h.length > limit || uint64(h.size)+h.length > limit || (!h.control() && uint64(st.fragIn)+h.length > limit) {
		return 0, st.fail(CloseMessageTooBig, fmt.Sprintf("message exceeds %d bytes", limit))
	}
	return h.size + int(h.length), nil
}

// check applies the rules of RFC 6455 section 5 to a frame header. It returns
// the close code for a broken rule and why, or 0.
func (st *connState) check(h *header) (int, string) {
	switch {
	case h.rsv&^rsv1 != 0:
		return CloseProtocolError, "RSV2 or RSV3 set, which no extension defines"
	case h.rsv != 0 && st.z == nil:
		return CloseProtocolError, "RSV1 set with no extension negotiated"
	case h.rsv != 0 && h.control():
		return CloseProtocolError, "RSV1 set on a control frame"
	case h.rsv != 0 && h.op == opContinuation:
		return CloseProtocolError, "RSV1 set on a continuation frame"
	case h.op > opBinary && h.op < opClose || h.op > opPong:
		return CloseProtocolError, fmt.Sprintf("unknown opcode %#x", h.op)
	case h.control() && !h.fin:
		return CloseProtocolError, "fragmented control frame"
	case h.control() && h.length > maxControlPayload:
		return CloseProtocolError, "control frame payload over 125 bytes"
	case !st.ep.client && !h.masked:
		return CloseProtocolError, "frame not masked"
	case st.ep.client && h.masked:
		return CloseProtocolError, "masked frame from a server"
	case h.op == opContinuation && st.fragOp == 0:
		return CloseProtocolError, "continuation frame with no message to continue"
	case (h.op == opText || h.op == opBinary) && st.fragOp != 0:
		return CloseProtocolError, "new message before the fragmented one ended"
	}
	return 0, ""
}

// fail answers a broken rule with a Close frame carrying code, then ends the
// connection; the error names what went wrong for the log.
func (st *connState) fail(code int, why string) error {
	var frame []byte
	if !st.closing {
		st.closing = true
		frame = appendClose(nil, code, why, st.ep.client)
	}
	st.c.End(frame)
	return fmt.Errorf("websocket: %s (closed with %d)", why, code)
}

// decode handles one frame that input framed: a message is returned, control
// frames are answered and nil is returned for them and for fragments.
func (st *connState) decode(pkg []byte) (any, error) {
	h, _ := parseHeader(pkg)
	payload := pkg[h.size:]
	if h.masked {
		mask(h.key, payload)
	}
	st.heard = true
	switch h.op {
	case opText, opBinary:
		if st.closing {
			return nil, nil
		}
		compressed := h.rsv&rsv1 != 0
		if !h.fin {
			st.fragOp, st.fragZ = h.op, compressed
			st.text.reset()
			if compressed {
				st.stream = getStream(st.z.dict, st.c.PackageLimit())
			}
			return st.fragment(payload, false)
		}
		if compressed {
			return st.inflated(h.op, payload)
		}
		return st.message(h.op, payload, false)
	case opContinuation:
		return st.fragment(payload, h.fin)
	case opPing:
		st.control(opPong, payload)
		if fn := st.ep.onPing; fn != nil {
			fn(st.c, payload)
		}
	case opPong:
		if fn := st.ep.onPong; fn != nil {
			fn(st.c, payload)
		}
	case opClose:
		return nil, st.peerClosed(payload)
	}
	return nil, nil
}

// fragment takes the next fragment of the message being reassembled, the
// last one when last is set, and returns the message once it is whole.
// Text is checked as it comes, so that invalid UTF-8 ends the connection at
// the fragment that holds it; a compressed message is inflated as it comes
// (while the process streams fewer than maxStreams), so that this holds for
// its text too, and inflating past the limit ends it as soon.
func (st *connState) fragment(p []byte, last bool) (any, error) {
	if st.closing {
		if last {
			st.endFragments()
		}
		return nil, nil // the peer was sent a Close frame: the message is dropped
	}
	st.fragIn += len(p)
	var msg any
	var err error
	switch {
	case st.stream != nil:
		var fresh []byte
		if fresh, err = st.z.inflateFragment(st.stream, p, last); err != nil {
			err = st.inflateFailed(err)
		} else if err = st.checkText(fresh, last); err == nil && last {
			msg, err = st.message(st.fragOp, st.stream.out, true)
		}
	case st.fragZ:
		st.frag = append(st.frag, p...)
		if last {
			msg, err = st.inflated(st.fragOp, st.frag)
		}
	default:
		st.frag = append(st.frag, p...)
		if err = st.checkText(p, last); err == nil && last {
			msg, err = st.message(st.fragOp, st.frag, true)
		}
	}
	if last || err != nil {
		st.endFragments()
	}
	return msg, err
}

// endFragments forgets the fragmented message, delivered or refused.
func (st *connState) endFragments() {
	st.fragOp, st.fragZ, st.fragIn = 0, false, 0
	st.frag = st.frag[:0]
	if cap(st.frag) > maxKeptFragments {
		st.frag = nil
	}
	if st.stream != nil {
		putStream(st.stream)
		st.stream = nil
	}
}

// checkText checks the next piece of a fragmented text message (its
// inflated bytes, if it is compressed): invalid UTF-8 ends the connection.
func (st *connState) checkText(p []byte, final bool) error {
	if st.fragOp != opText || st.text.write(p, final) {
		return nil
	}
	return st.fail(CloseInvalidPayload, "text message is not valid UTF-8")
}

// inflated is message for a compressed message: inflated up to the
// connection's limit (1009 past it), 1007 when it does not inflate.
func (st *connState) inflated(op byte, p []byte) (any, error) {
	in, err := st.z.inflate(p, st.c.PackageLimit())
	defer st.z.release(in)
	if err != nil {
		return nil, st.inflateFailed(err)
	}
	return st.message(op, in.out, false)
}

// inflateFailed ends the connection for a compressed message that inflates
// past the limit (1009) or does not inflate (1007).
func (st *connState) inflateFailed(err error) error {
	if err == errInflatedTooBig {
		return st.fail(CloseMessageTooBig, fmt.Sprintf("message inflates past %d bytes", st.c.PackageLimit()))
	}
	return st.fail(CloseInvalidPayload, "compressed message does not inflate: "+err.Error())
}

// message is what OnMessage receives: a string for text, checked to be
// UTF-8 unless checked already, and a copy of the bytes for binary.
func (st *connState) message(op byte, payload []byte, checked bool) (any, error) {
	if op == opBinary {
		return bytes.Clone(payload), nil
	}
	if !checked && !utf8.Valid(payload) {
		return nil, st.fail(CloseInvalidPayload, "text message is not valid UTF-8")
	}
	if st.lastMsg != nil && string(payload) == st.lastText {
		return st.lastMsg, nil
	}
	s := string(payload)
	if len(s) <= maxCachedText {
		st.lastText, st.lastMsg = s, s
		return st.lastMsg, nil
	}
	return s, nil
}

// panicked answers a message whose OnMessage panicked: a Close frame with
// 1011 after what was already sent, then the connection ends; before the
// handshake completes there is no WebSocket to tell.
func (st *connState) panicked() {
	if !st.open {
		st.c.Close()
		return
	}
	st.fail(CloseInternalError, "the server failed to handle a message")
}

// control sends a control frame (a pong, a keep-alive ping).
func (st *connState) control(op byte, payload []byte) {
	st.scratch = appendFrame(st.scratch[:0], op, payload, st.ep.client)
	st.c.SendRaw(st.scratch)
}

// peerClosed completes the closing handshake the peer started (or answered):
// the peer's code goes back to it, then the connection closes.
func (st *connState) peerClosed(payload []byte) error {
	code, reason, bad := parseClose(payload)
	if bad != 0 {
		return st.fail(bad, "invalid Close frame")
	}
	if fn := st.ep.onCloseFrame; fn != nil {
		fn(st.c, code, reason)
	}
	if !st.closing {
		st.closing = true
		if code == CloseNoStatus {
			code = 0
		}
		st.scratch = appendClose(st.scratch[:0], code, "", st.ep.client)
		st.c.SendRaw(st.scratch)
	}
	st.c.Close()
	return nil
}

// encode appends v as one frame: a string as text, a []byte as binary, any
// other value as its JSON in a text frame. Before the handshake completes
// the frame waits in the queue instead.
func (st *connState) encode(dst []byte, v any) ([]byte, error) {
	if st.closing {
		return dst, ErrClosing
	}
	if !st.open {
		if len(st.queued) >= st.c.SendBufferLimit() {
			return dst, ErrQueueFull
		}
		q, err := st.appendMessage(st.queued, v)
		st.queued = q
		return dst, err
	}
	return st.appendMessage(dst, v)
}

func (st *connState) appendMessage(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return st.appendData(dst, opText, bytesOf(x)), nil
	case []byte:
		return st.appendData(dst, opBinary, x), nil
	case nil:
		return dst, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return dst, fmt.Errorf("websocket: cannot send %T: %w", v, err)
	}
	return st.appendData(dst, opText, b), nil
}

// appendData appends a message as one frame, compressed on an open
// connection that negotiated permessage-deflate from the threshold up.
// Messages queued before the handshake completes go as they are.
func (st *connState) appendData(dst []byte, op byte, p []byte) []byte {
	if st.z != nil && st.open && len(p) >= st.z.threshold {
		return st.z.appendCompressed(dst, op, p, st.ep.client)
	}
	return appendFrame(dst, op, p, st.ep.client)
}

// SweepSlot is where the connection keeps its index in the keep-alive set.
func (st *connState) SweepSlot() *int { return &st.slot }
