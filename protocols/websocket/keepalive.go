package websocket

import (
	"time"

	"github.com/workerman-go/workerman/internal/sweep"
)

// keepAlive pings every open connection of one endpoint each interval with
// one repeating timer, and closes those that sent nothing at all since the
// previous ping: a peer that vanished without a FIN (a laptop lid, a NAT
// that forgot the flow) is found within two intervals. Loop-only.
type keepAlive struct {
	every time.Duration
	conns sweep.Sweeper[*connState]
}

// track adds an open connection, starting the timer for the first one.
func (k *keepAlive) track(st *connState) {
	if k.every <= 0 {
		return
	}
	if k.conns.Due == nil {
		k.conns.Due, k.conns.Act = pingDue, pingOrDrop
	}
	k.conns.Add(st, st.c.Loop(), k.every)
}

// untrack removes a connection that closed, stopping the timer after the last.
func (k *keepAlive) untrack(st *connState) { k.conns.Remove(st) }

// pingDue: every connection is pinged or dropped, but one already closing.
func pingDue(st *connState, _ int64) bool { return !st.closing }

func pingOrDrop(st *connState) {
	if st.pinged && !st.heard {
		st.fail(CloseGoingAway, "no answer to a keep-alive ping")
		return
	}
	st.heard, st.pinged = false, true
	st.control(opPing, nil)
}
