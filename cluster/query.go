package cluster

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/worker"
)

// Queries are scatter-gather over NATS: one request on the subject of what
// is asked about, an answer from every process that holds some of it, added
// up until QueryTimeout. A subject nobody holds is answered at once by the
// server (no responders). Every callback runs on the loop; the calls are
// safe from any goroutine and never wait.

// IsOnline reports whether the connection with that client id is open.
func IsOnline(clientID string, fn func(online bool, err error)) {
	ref, err := parseClientID(clientID)
	if err != nil {
		worker.Post(func() { fn(false, err) })
		return
	}
	if ref.node == selfID {
		onLoop(func() { fn(connection.Lookup(ref.conn) != nil, nil) })
		return
	}
	ask(subject("c", nodeName(ref.node)), askOnline, ref.conn, true, func(n int, err error) { fn(n > 0, err) })
}

// IsUidOnline reports whether any connection anywhere is bound to uid.
func IsUidOnline(uid string, fn func(online bool, err error)) {
	if err := checkToken("uid", uid); err != nil {
		worker.Post(func() { fn(false, err) })
		return
	}
	ask(subject("u", uid), askMembers, 0, true, func(n int, err error) { fn(n > 0, err) })
}

// UidCount counts the connections bound to uid, in every process.
func UidCount(uid string, fn func(n int, err error)) {
	if err := checkToken("uid", uid); err != nil {
		worker.Post(func() { fn(0, err) })
		return
	}
	ask(subject("u", uid), askMembers, 0, false, fn)
}

// GroupCount counts the members of group, in every process.
func GroupCount(group string, fn func(n int, err error)) {
	if err := checkToken("group", group); err != nil {
		worker.Post(func() { fn(0, err) })
		return
	}
	ask(subject("g", group), askMembers, 0, false, fn)
}

// ClientCount counts the connections of the Gateway workers of every
// process.
func ClientCount(fn func(n int, err error)) {
	ask(subject("a"), askClients, 0, false, fn)
}

// ask sends a question and adds up the answers on a goroutine of its own;
// with first it stops at the first answer above zero.
func ask(subj string, kind byte, target uint64, first bool, fn func(int, error)) {
	n, err := get()
	if err != nil {
		worker.Post(func() { fn(0, err) })
		return
	}
	go func() {
		total, err := n.gather(subj, kind, target, first)
		worker.Post(func() { fn(total, err) })
	}()
}

func (n *node) gather(subj string, kind byte, target uint64, first bool) (int, error) {
	inbox := n.nc.NewInbox()
	sub, err := n.nc.SubscribeSync(inbox)
	if err != nil {
		return 0, err
	}
	defer sub.Unsubscribe()
	e := envelope{op: opQuery, kind: kind, origin: selfID, target: target}
	if err := n.publish(subj, inbox, appendEnvelope(nil, &e)); err != nil {
		return 0, err
	}
	total := 0
	deadline := time.Now().Add(QueryTimeout)
	for {
		m, err := sub.NextMsg(time.Until(deadline))
		if errors.Is(err, nats.ErrTimeout) || errors.Is(err, nats.ErrNoResponders) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		if v, k := binary.Uvarint(m.Data); k > 0 {
			total += int(v)
		}
		if first && total > 0 {
			return total, nil
		}
	}
}

// answer replies to a question with a count. Loop-only.
func (n *node) answer(m *nats.Msg, count int) {
	if m.Reply == "" {
		return
	}
	n.publish(m.Reply, "", binary.AppendUvarint(nil, uint64(count)))
}
