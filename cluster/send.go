package cluster

import (
	"github.com/workerman-go/workerman/connection"
)

// Sending. Each call takes a string, a []byte or an *http.ServerSentEvents
// and delivers it with the receiving connection's own protocol: a text (or
// binary) frame to a WebSocket client, an event to an HTTP event stream, a
// line to a text client. Members in this process get it through the loop at
// once, even while NATS is unreachable; the other processes through NATS.
// All of them are safe from any goroutine and return without waiting for
// the deliveries.

// SendToClient sends v to the connection with that client id, whichever
// process holds it; nothing happens when it is gone.
func SendToClient(clientID string, v any) error {
	ref, err := parseClientID(clientID)
	if err != nil {
		return err
	}
	return toClient(ref, opSend, v)
}

// CloseClient closes the connection with that client id, after what was
// sent to it before.
func CloseClient(clientID string) error {
	ref, err := parseClientID(clientID)
	if err != nil {
		return err
	}
	return toClient(ref, opClose, nil)
}

func toClient(ref clientRef, op byte, v any) error {
	var kind byte
	if op == opSend {
		var err error
		if kind, err = kindOf(v); err != nil {
			return err
		}
	}
	if ref.node == selfID {
		onLoop(func() {
			c := connection.Lookup(ref.conn)
			switch {
			case c == nil:
			case op == opClose:
				c.Close()
			default:
				(&outgoing{value: v}).to(c)
			}
		})
		return nil
	}
	n, err := get()
	if err != nil {
		return err
	}
	e := envelope{op: op, kind: kind, origin: selfID, target: ref.conn, value: v}
	return n.publish(subject("c", nodeName(ref.node)), "", appendEnvelope(nil, &e))
}

// SendToUid sends v to every connection bound to uid, in every process.
func SendToUid(uid string, v any) error {
	if err := checkToken("uid", uid); err != nil {
		return err
	}
	return toSet("u", uid, v, nil)
}

// SendToGroup sends v to every member of group, in every process, but the
// clients whose ids are in exclude.
func SendToGroup(group string, v any, exclude ...string) error {
	if err := checkToken("group", group); err != nil {
		return err
	}
	refs, err := parseClientIDs(exclude)
	if err != nil {
		return err
	}
	return toSet("g", group, v, refs)
}

// SendToAll sends v to every connection of the Gateway workers of every
// process, but the clients whose ids are in exclude.
func SendToAll(v any, exclude ...string) error {
	refs, err := parseClientIDs(exclude)
	if err != nil {
		return err
	}
	return toSet("a", "", v, refs)
}

// toSet delivers to this process's members at once and publishes for the
// others; the publisher skips its own message when NATS brings it back.
func toSet(kind, name string, v any, exclude []clientRef) error {
	k, err := kindOf(v)
	if err != nil {
		return err
	}
	n, err := get()
	if err != nil {
		return err
	}
	subj := subject(kind)
	if name != "" {
		subj = subject(kind, name)
	}
	e := envelope{op: opSend, kind: k, origin: selfID, excluded: exclude, value: v}
	data := appendEnvelope(nil, &e)
	// Too large for the others is too large for anyone: no partial delivery.
	if err := n.fits(data); err != nil {
		return err
	}
	onLoop(func() { deliverLocal(kind, name, v, exclude) })
	return n.publish(subj, "", data)
}

// deliverLocal is toSet's part in this process. Loop-only.
func deliverLocal(kind, name string, v any, exclude []clientRef) {
	var s *set
	switch kind {
	case "a":
		sendToGateways(v, exclude)
		return
	case "u":
		s = addr.uids[name]
	case "g":
		s = addr.groups[name]
	}
	if s != nil {
		s.send(v, exclude)
	}
}
