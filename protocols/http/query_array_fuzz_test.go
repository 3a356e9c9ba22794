package http

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// FuzzQueryArray reads any query string as PHP arrays: it never panics,
// nests no deeper than PHP allows, gives only strings, lists and maps, and
// a name without brackets, dots or spaces keeps the last value that
// url-style parsing gives it.
func FuzzQueryArray(f *testing.F) {
	for _, q := range []string{
		"a=1&b=2", "a[]=1&a[]=2", "a[x][y][]=1", "a[b=1", "a[b]c=1&a[5]=x&a[]=y",
		"%5B%5D=1", "a[-1]=x&a[]=y", "a[9223372036854775807]=x&a[]=y", strings.Repeat("[", 100) + "=1",
		"a" + strings.Repeat("[]", 70) + "=1",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		var args fasthttp.Args
		args.Parse(q)
		got := phpArrays(args.All())
		if _, err := json.Marshal(got); err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		for k, v := range got {
			checkValue(t, q, v, 1)
			if k == "" {
				t.Fatalf("%q: an empty name", q)
			}
		}
		if strings.Contains(q, "[") || strings.Contains(q, "%5") || args.Len() > maxArrayVars {
			return // a bracketed name may land on a plain one
		}
		last := map[string]string{}
		for k, v := range args.All() {
			last[string(k)] = string(v)
		}
		for k, v := range last {
			if k == "" || strings.TrimLeft(k, " ") != k || strings.ContainsAny(k, ". ") {
				continue
			}
			if got[k] != v {
				t.Fatalf("%q: %q is %v, want %q", q, k, got[k], v)
			}
		}
	})
}

func checkValue(t *testing.T, q string, v any, depth int) {
	if depth > maxArrayDepth+1 {
		t.Fatalf("%q: nested %d deep", q, depth)
	}
	switch x := v.(type) {
	case string:
	case []any:
		for _, e := range x {
			checkValue(t, q, e, depth+1)
		}
	case map[string]any:
		for _, e := range x {
			checkValue(t, q, e, depth+1)
		}
	default:
		t.Fatalf("%q: a %T", q, v)
	}
}
