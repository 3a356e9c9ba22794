package sweep

import (
	"slices"
	"testing"
	"time"

	"github.com/workerman-go/workerman/internal/prototest"
)

func TestSweeperActsOnDueMembersAndMayRemoveThem(t *testing.T) {
	var l prototest.Loop
	var acted []string
	var s Sweeper[*member]
	s.Due = func(m *member, now int64) bool { return m.name != "keep" && now >= s.Now() }
	s.Act = func(m *member) {
		acted = append(acted, m.name)
		s.Remove(m) // what closing a connection does, in the middle of the walk
	}
	a, b, keep := newMember("a"), newMember("b"), newMember("keep")
	s.Add(a, &l, time.Second)
	s.Add(b, &l, time.Second)
	s.Add(keep, &l, time.Second)
	if l.Timers() != 1 {
		t.Fatalf("%d timers for one sweeper, want 1", l.Timers())
	}
	l.Fire()
	slices.Sort(acted)
	if !slices.Equal(acted, []string{"a", "b"}) || s.Len() != 1 {
		t.Fatalf("acted on %v, %d left; want a and b acted on, keep left", acted, s.Len())
	}
	s.Remove(keep)
	if l.Timers() != 0 {
		t.Fatalf("%d timers after the last member left, want 0", l.Timers())
	}
}

func TestSweeperTakesTheFinerInterval(t *testing.T) {
	var l prototest.Loop
	s := Sweeper[*member]{Due: func(*member, int64) bool { return false }, Act: func(*member) {}}
	s.Add(newMember("a"), &l, time.Second)
	s.Add(newMember("b"), &l, 2*time.Second) // coarser: the timer stays
	if l.Timers() != 1 || l.Every(s.timer) != time.Second {
		t.Fatalf("after a coarser member: %d timers, every %v", l.Timers(), l.Every(s.timer))
	}
	before := s.Now()
	s.Add(newMember("c"), &l, 100*time.Millisecond)
	if l.Timers() != 1 || l.Every(s.timer) != 100*time.Millisecond {
		t.Fatalf("after a finer member: %d timers, every %v", l.Timers(), l.Every(s.timer))
	}
	if s.Now() < before {
		t.Fatalf("the clock went back from %d to %d", before, s.Now())
	}
}
