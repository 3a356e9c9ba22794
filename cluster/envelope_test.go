package cluster

import (
	"reflect"
	"testing"
	"time"

	"github.com/workerman-go/workerman/protocols/http"
)

func TestEnvelopesRoundTrip(t *testing.T) {
	for _, e := range []envelope{
		{op: opSend, kind: kindString, origin: 7, value: "hello"},
		{op: opSend, kind: kindBytes, origin: 7, target: 99, value: []byte{0, 1, 2}},
		{op: opSend, kind: kindEvent, origin: 1 << 63, excluded: []clientRef{{1, 2}, {3, 1 << 40}},
			value: &http.ServerSentEvents{Comment: "c", Event: "e", ID: "i", Retry: 1500 * time.Millisecond, Data: "line1\nline2"}},
		{op: opQuery, kind: askMembers, origin: 5},
		{op: opClose, origin: 5, target: 12},
	} {
		got, err := parseEnvelope(appendEnvelope(nil, &e))
		if err != nil {
			t.Fatalf("%+v: %v", e, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, e)
		}
	}
}

// Anyone may publish anything on a subject a process listens to: whatever
// arrives is parsed without a panic, and what parses encodes back the same.
func FuzzParseEnvelope(f *testing.F) {
	f.Add(appendEnvelope(nil, &envelope{op: opSend, kind: kindString, origin: 1, value: "x"}))
	f.Add(appendEnvelope(nil, &envelope{op: opSend, kind: kindEvent, origin: 1, excluded: []clientRef{{1, 1}},
		value: &http.ServerSentEvents{Event: "e", Data: "d"}}))
	f.Add([]byte{opQuery, askClients, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0})
	f.Add([]byte{opSend, kindEvent, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := parseEnvelope(b)
		if err != nil {
			return
		}
		again, err := parseEnvelope(appendEnvelope(nil, &e))
		if err != nil || !reflect.DeepEqual(again, e) {
			t.Fatalf("%x parsed as %+v, which re-parses as %+v, %v", b, e, again, err)
		}
	})
}
