package sweep

import (
	"slices"
	"testing"
)

type member struct {
	name string
	slot int
}

func newMember(name string) *member { return &member{name: name, slot: -1} }

func (m *member) SweepSlot() *int { return &m.slot }

func names(s *Set[*member]) []string {
	var out []string
	for _, m := range s.Items() {
		out = append(out, m.name)
	}
	slices.Sort(out)
	return out
}

func TestSet(t *testing.T) {
	var s Set[*member]
	a, b, c := newMember("a"), newMember("b"), newMember("c")
	s.Add(a)
	s.Add(b)
	s.Add(c)
	s.Add(b) // again: no change
	if got := names(&s); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("after adding: %v", got)
	}
	s.Remove(a) // c moves into a's place
	if got := names(&s); !slices.Equal(got, []string{"b", "c"}) || a.slot != -1 {
		t.Fatalf("after removing a: %v, a's slot %d", got, a.slot)
	}
	for i, m := range s.Items() {
		if m.slot != i {
			t.Fatalf("%s keeps slot %d, sits at %d", m.name, m.slot, i)
		}
	}
	s.Remove(a) // not a member: no change
	s.Remove(c)
	s.Remove(b)
	if s.Len() != 0 || b.slot != -1 || c.slot != -1 {
		t.Fatalf("after removing all: len %d, slots %d %d", s.Len(), b.slot, c.slot)
	}
}
