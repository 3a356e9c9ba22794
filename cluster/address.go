package cluster

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/protocols/websocket"
	"github.com/workerman-go/workerman/worker"
)

// Layer 2: GatewayWorker's addressing of connections anywhere in the
// cluster. Each process subscribes to its own subject (messages for one of
// its connections), to the subject every process shares (messages for all),
// and to the subject of each uid and group it holds a member of, for as long
// as it holds one. Its NATS session ending takes all of those with it, so a
// process that dies leaves no members behind.

// ErrBadClientID is wrapped by the error of a client id that no process
// could have made.
var ErrBadClientID = errors.New("cluster: bad client id")

// set is the connections of this process that hold one uid, or belong to
// one group, and the subscription that brings the cluster's messages for
// them.
type set struct {
	conns map[*connection.TcpConnection]struct{}
	sub   *nats.Subscription
}

// binding is what one connection is bound to.
type binding struct {
	uid    string
	groups []string
}

// addressing is this process's bindings. Loop-only.
type addressing struct {
	uids, groups map[string]*set
	bound        map[*connection.TcpConnection]*binding
}

var (
	addr = addressing{
		uids:   map[string]*set{},
		groups: map[string]*set{},
		bound:  map[*connection.TcpConnection]*binding{},
	}
	gateways []*worker.Worker // set before the loop runs, read on it
)

func init() { connection.ObserveClose(addr.forget) }

// Gateway makes w's connections the cluster's clients: SendToAll reaches
// them and ClientCount counts them. Connections of other workers (an HTTP
// API beside a WebSocket port, say) can still be addressed by client id, uid
// and group. Call it in main, before worker.RunAll.
func Gateway(w *worker.Worker) { gateways = append(gateways, w) }

// ClientID is c's id in the whole cluster: the id of its process, a dash,
// and c's id within the process.
func ClientID(c *connection.TcpConnection) string {
	return nodeName(selfID) + "-" + strconv.FormatUint(c.ID(), 10)
}

func nodeName(id uint64) string {
	s := strconv.FormatUint(id, 16)
	return strings.Repeat("0", 16-len(s)) + s
}

func parseClientID(s string) (clientRef, error) {
	node, conn, ok := strings.Cut(s, "-")
	if ok && len(node) == 16 {
		n, err1 := strconv.ParseUint(node, 16, 64)
		c, err2 := strconv.ParseUint(conn, 10, 64)
		if err1 == nil && err2 == nil && n != 0 && c != 0 {
			return clientRef{n, c}, nil
		}
	}
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return clientRef{}, fmt.Errorf("%w %q: want 16 hex digits, a dash and a connection number", ErrBadClientID, s)
}

func parseClientIDs(ids []string) ([]clientRef, error) {
	if len(ids) > maxExcluded {
		return nil, fmt.Errorf("cluster: %d exclusions exceed %d", len(ids), maxExcluded)
	}
	refs := make([]clientRef, len(ids))
	for i, id := range ids {
		r, err := parseClientID(id)
		if err != nil {
			return nil, err
		}
		refs[i] = r
	}
	return refs, nil
}

// BindUid binds c to uid, in place of any uid it had; several connections
// may share one uid. The binding ends when c closes. Loop-only.
func BindUid(c *connection.TcpConnection, uid string) error {
	if err := checkToken("uid", uid); err != nil {
		return err
	}
	if c.Status() >= connection.StatusClosing {
		return connection.ErrClosed
	}
	b := addr.bound[c]
	if b != nil && b.uid == uid {
		return nil
	}
	if err := addr.join(addr.uids, "u", uid, c); err != nil {
		return err
	}
	if b == nil {
		b = &binding{}
		addr.bound[c] = b
	}
	if b.uid != "" {
		addr.leave(addr.uids, b.uid, c)
	}
	b.uid = uid
	return nil
}

// UnbindUid ends c's uid binding. Loop-only.
func UnbindUid(c *connection.TcpConnection) {
	if b := addr.bound[c]; b != nil && b.uid != "" {
		addr.leave(addr.uids, b.uid, c)
		b.uid = ""
		addr.drop(c, b)
	}
}

// Uid is the uid c is bound to, or "". Loop-only.
func Uid(c *connection.TcpConnection) string {
	if b := addr.bound[c]; b != nil {
		return b.uid
	}
	return ""
}

// JoinGroup adds c to group; it leaves when it closes. Loop-only.
func JoinGroup(c *connection.TcpConnection, group string) error {
	if err := checkToken("group", group); err != nil {
		return err
	}
	if c.Status() >= connection.StatusClosing {
		return connection.ErrClosed
	}
	b := addr.bound[c]
	if b != nil && contains(b.groups, group) {
		return nil
	}
	if err := addr.join(addr.groups, "g", group, c); err != nil {
		return err
	}
	if b == nil {
		b = &binding{}
		addr.bound[c] = b
	}
	b.groups = append(b.groups, group)
	return nil
}

// LeaveGroup takes c out of group. Loop-only.
func LeaveGroup(c *connection.TcpConnection, group string) {
	b := addr.bound[c]
	if b == nil {
		return
	}
	for i, g := range b.groups {
		if g == group {
			b.groups = append(b.groups[:i], b.groups[i+1:]...)
			addr.leave(addr.groups, group, c)
			addr.drop(c, b)
			return
		}
	}
}

// Groups are the groups c belongs to. Loop-only.
func Groups(c *connection.TcpConnection) []string {
	if b := addr.bound[c]; b != nil {
		return append([]string(nil), b.groups...)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// join adds c to the set of name, subscribing to its subject when c is the
// process's first member.
func (a *addressing) join(sets map[string]*set, kind, name string, c *connection.TcpConnection) error {
	s := sets[name]
	if s == nil {
		n, err := get()
		if err != nil {
			return err
		}
		s = &set{conns: map[*connection.TcpConnection]struct{}{}}
		s.sub, err = n.subscribe(subject(kind, name), "", func(m *nats.Msg) { s.handle(n, m) })
		if err != nil {
			return err
		}
		sets[name] = s
	}
	s.conns[c] = struct{}{}
	return nil
}

// leave takes c out of the set of name, unsubscribing after its last member.
func (a *addressing) leave(sets map[string]*set, name string, c *connection.TcpConnection) {
	s := sets[name]
	if s == nil {
		return
	}
	delete(s.conns, c)
	if len(s.conns) == 0 {
		delete(sets, name)
		if n, err := get(); err == nil {
			n.unsubscribe(s.sub)
		}
	}
}

// drop forgets a binding that holds nothing any more.
func (a *addressing) drop(c *connection.TcpConnection, b *binding) {
	if b.uid == "" && len(b.groups) == 0 {
		delete(a.bound, c)
	}
}

// forget ends every binding of a connection that closed.
func (a *addressing) forget(c *connection.TcpConnection) {
	b := a.bound[c]
	if b == nil {
		return
	}
	delete(a.bound, c)
	if b.uid != "" {
		a.leave(a.uids, b.uid, c)
	}
	for _, g := range b.groups {
		a.leave(a.groups, g, c)
	}
}

// handle is a set's message: a delivery to its members, or a count of them.
func (s *set) handle(n *node, m *nats.Msg) {
	e, ok := readEnvelope(m)
	if !ok {
		return
	}
	switch {
	case e.op == opQuery:
		n.answer(m, len(s.conns))
	case e.op == opSend && e.origin != selfID:
		s.send(e.value, e.excluded)
	}
}

// send delivers v to every member but the excluded. Loop-only.
func (s *set) send(v any, exclude []clientRef) {
	out := outgoing{value: v}
	for c := range s.conns {
		if !excluded(exclude, c) {
			out.to(c)
		}
	}
}

// handleOwn is a message on this process's own subject: for one connection.
func (n *node) handleOwn(m *nats.Msg) {
	e, ok := readEnvelope(m)
	if !ok {
		return
	}
	c := connection.Lookup(e.target)
	switch e.op {
	case opQuery:
		n.answer(m, boolCount(c != nil))
	case opSend:
		if c != nil {
			(&outgoing{value: e.value}).to(c)
		}
	case opClose:
		if c != nil {
			c.Close()
		}
	}
}

// handleAll is a message for every process: a delivery to all clients, or
// a count of them.
func (n *node) handleAll(m *nats.Msg) {
	e, ok := readEnvelope(m)
	if !ok {
		return
	}
	switch {
	case e.op == opQuery:
		n.answer(m, gatewayClients())
	case e.op == opSend && e.origin != selfID:
		sendToGateways(e.value, e.excluded)
	}
}

func readEnvelope(m *nats.Msg) (envelope, bool) {
	e, err := parseEnvelope(m.Data)
	if err != nil {
		slog.Debug("cluster: dropped a malformed message", "subject", m.Subject, "err", err)
		return envelope{}, false
	}
	return e, true
}

func boolCount(b bool) int {
	if b {
		return 1
	}
	return 0
}

// gatewayClient tells a client of a Gateway worker from a connection that
// is not one yet: a WebSocket connection still shaking hands (or loading a
// page on the WebSocket port).
func gatewayClient(c *connection.TcpConnection) bool {
	if _, ws := c.Protocol().(*websocket.Protocol); ws {
		return websocket.IsOpen(c)
	}
	return true
}

func gatewayClients() int {
	n := 0
	for _, w := range gateways {
		for _, c := range w.Connections() {
			n += boolCount(gatewayClient(c))
		}
	}
	return n
}

func sendToGateways(v any, exclude []clientRef) {
	out := outgoing{value: v}
	for _, w := range gateways {
		for _, c := range w.Connections() {
			if gatewayClient(c) && !excluded(exclude, c) {
				out.to(c)
			}
		}
	}
}

func excluded(refs []clientRef, c *connection.TcpConnection) bool {
	for _, r := range refs {
		if r.node == selfID && r.conn == c.ID() {
			return true
		}
	}
	return false
}

// subscribeOwn subscribes to this process's subject and the shared one.
func (a *addressing) subscribeOwn(n *node) error {
	if _, err := n.subscribe(subject("c", nodeName(n.id)), "", n.handleOwn); err != nil {
		return err
	}
	_, err := n.subscribe(subject("a"), "", n.handleAll)
	return err
}

// outgoing is one message on its way to local connections, in the form
// each protocol wants, made once per message rather than per connection:
// an HTTP connection (an event stream) gets an event, the rest get the
// value, or an event's data.
type outgoing struct {
	value any
	event *http.ServerSentEvents
	plain any
}

func (o *outgoing) to(c *connection.TcpConnection) {
	if _, ok := c.Protocol().(*http.Protocol); ok {
		if o.event == nil {
			switch v := o.value.(type) {
			case *http.ServerSentEvents:
				o.event = v
			case string:
				o.event = &http.ServerSentEvents{Data: v}
			case []byte:
				o.event = &http.ServerSentEvents{Data: string(v)}
			}
		}
		c.Send(o.event)
		return
	}
	if o.plain == nil {
		o.plain = o.value
		if ev, ok := o.value.(*http.ServerSentEvents); ok {
			o.plain = ev.Data
		}
	}
	c.Send(o.plain)
}
