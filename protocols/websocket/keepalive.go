package websocket

import (
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/internal/sweep"
)

// keepAlive pings every open connection of one endpoint each interval with
// one repeating timer, and closes those that sent nothing at all since the
// previous ping: a peer that vanished without a FIN (a laptop lid, a NAT
// that forgot the flow) is found within two intervals. Loop-only.
type keepAlive struct {
	every   time.Duration
	conns   sweep.Set[*connState]
	victims []*connState
	timer   eventloop.TimerID
}

// track adds an open connection, starting the timer for the first one.
func (k *keepAlive) track(st *connState) {
	if k.every <= 0 || st.slot >= 0 {
		return
	}
	if k.conns.Len() == 0 {
		k.timer = eventloop.Default().AddSystemTimer(k.every, true, k.tick)
	}
	k.conns.Add(st)
}

// untrack removes a connection that closed, stopping the timer after the last.
func (k *keepAlive) untrack(st *connState) {
	if st.slot < 0 {
		return
	}
	k.conns.Remove(st)
	if k.conns.Len() == 0 && k.timer != 0 {
		eventloop.Default().DelTimer(k.timer)
		k.timer = 0
	}
}

func (k *keepAlive) tick() {
	for _, st := range k.conns.Items() {
		switch {
		case st.closing:
		case st.pinged && !st.heard:
			k.victims = append(k.victims, st)
		default:
			st.heard, st.pinged = false, true
			st.control(opPing, nil)
		}
	}
	for i, st := range k.victims {
		k.victims[i] = nil
		st.fail(CloseGoingAway, "no answer to a keep-alive ping")
	}
	k.victims = k.victims[:0]
}
