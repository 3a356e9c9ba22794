package cluster

import (
	"errors"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/workerman-go/workerman/worker"
)

// Layer 1: subjects anyone may publish on and any process may subscribe to,
// as workerman/channel's events. Subjects live under Prefix + ".p.", apart
// from the addressing subjects.

// Msg is one message a subscription received.
type Msg struct {
	Subject string // as given to Publish
	Data    []byte // the message's own bytes: keep them if you like
	reply   string
}

// Respond answers a message sent with Request. Safe from any goroutine.
func (m *Msg) Respond(data []byte) error {
	if m.reply == "" {
		return errors.New("cluster: respond to a message that was not a request")
	}
	n, err := get()
	if err != nil {
		return err
	}
	return n.publish(m.reply, "", data)
}

// Subscription is a Subscribe's interest in a subject.
type Subscription struct {
	sub *nats.Subscription
}

// Unsubscribe ends the subscription; messages already received and not yet
// handled are dropped. Safe from any goroutine.
func (s *Subscription) Unsubscribe() error {
	n, err := get()
	if err != nil {
		return err
	}
	return n.unsubscribe(s.sub)
}

// Publish sends data to every subscriber of subject, in every process of
// the cluster, this one included. Safe from any goroutine; it does not wait
// for the subscribers.
func Publish(subject string, data []byte) error {
	if err := checkSubject(subject); err != nil {
		return err
	}
	n, err := get()
	if err != nil {
		return err
	}
	return n.publish(userSubject(subject), "", data)
}

// Subscribe calls fn with every message published on subject, on this
// process's event loop, one at a time, in the order NATS delivered them.
// Safe from any goroutine.
func Subscribe(subject string, fn func(m *Msg)) (*Subscription, error) {
	return subscribeUser(subject, "", fn)
}

// QueueSubscribe is Subscribe for a work queue: each message goes to one
// subscriber of queue only, whichever process holds it.
func QueueSubscribe(subject, queue string, fn func(m *Msg)) (*Subscription, error) {
	if err := checkToken("queue", queue); err != nil {
		return nil, err
	}
	return subscribeUser(subject, queue, fn)
}

func subscribeUser(subject, queue string, fn func(m *Msg)) (*Subscription, error) {
	if err := checkSubject(subject); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, errors.New("cluster: subscribe with a nil callback")
	}
	n, err := get()
	if err != nil {
		return nil, err
	}
	sub, err := n.subscribe(userSubject(subject), queue, func(m *nats.Msg) {
		fn(&Msg{Subject: subject, Data: m.Data, reply: m.Reply})
	})
	if err != nil {
		return nil, err
	}
	return &Subscription{sub: sub}, nil
}

// Request sends data on subject and calls fn on the loop with the first
// answer (Msg.Respond), or with an error: nats.ErrNoResponders when nobody
// subscribes, nats.ErrTimeout past timeout. Safe from any goroutine; it
// does not wait.
func Request(subject string, data []byte, timeout time.Duration, fn func(reply []byte, err error)) error {
	if err := checkSubject(subject); err != nil {
		return err
	}
	if fn == nil {
		return errors.New("cluster: request with a nil callback")
	}
	n, err := get()
	if err != nil {
		return err
	}
	if err := n.fits(data); err != nil {
		return err
	}
	go func() {
		m, err := n.nc.Request(userSubject(subject), data, timeout)
		var reply []byte
		if err == nil {
			reply = m.Data
		}
		worker.Post(func() { fn(reply, err) })
	}()
	return nil
}

func userSubject(s string) string { return Prefix + ".p." + s }
