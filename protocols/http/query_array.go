package http

import (
	"iter"
	"maps"
	"mime"
	"slices"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"
)

// The limits PHP applies to parse_str (max_input_nesting_level and
// max_input_vars): deeper names and further pairs are dropped.
const (
	maxArrayDepth = 64
	maxArrayVars  = 1000
)

// QueryArray returns the query as Workerman's get() does, read by PHP's
// parse_str rules: "a[]=1&a[]=2" gives a list, "a[x]=1" a map, and brackets
// nest ("a[x][]=1"). Each value is a string, a []any (keys 0, 1, ... in
// order, as json_encode writes a list) or a map[string]any, so the result
// marshals to the JSON Workerman gives. Like PHP, a name's spaces and dots
// become underscores, a later pair replaces an earlier one of the same name,
// and names nested more than 64 deep or pairs past the 1000th are dropped.
// Query keeps the flat url.Values.
func (r *Request) QueryArray() map[string]any {
	r.parseQuery()
	return phpArrays(r.query.All())
}

// PostArray returns the fields of a form body as Workerman's post() does,
// read by the rules of QueryArray: an urlencoded body in its order, a
// multipart one name by name in sorted order. Other bodies give an empty
// map: decode a JSON body with JSON.
func (r *Request) PostArray() map[string]any {
	mt, _, _ := mime.ParseMediaType(string(r.h.ContentType()))
	if strings.HasPrefix(mt, "multipart/") {
		r.parsePost()
		return phpArrays(func(yield func(k, v []byte) bool) {
			for _, k := range slices.Sorted(maps.Keys(r.form)) {
				for _, v := range r.form[k] {
					if !yield([]byte(k), []byte(v)) {
						return
					}
				}
			}
		})
	}
	if strings.Contains(mt, "json") {
		return map[string]any{}
	}
	var args fasthttp.Args
	args.ParseBytes(r.body)
	return phpArrays(args.All())
}

// phpArrays builds parse_str's nested arrays from decoded pairs.
func phpArrays(pairs iter.Seq2[[]byte, []byte]) map[string]any {
	root := newPHPArray()
	n := 0
	for k, v := range pairs {
		if n++; n > maxArrayVars {
			break
		}
		root.add(string(k), string(v))
	}
	return root.toMap()
}

// phpArray is a PHP array: ordered keys, integer keys kept apart from
// string ones so that [] can find the next free index.
type phpArray struct {
	keys []string
	vals map[string]any // string or *phpArray
	next int64          // the index [] takes
}

func newPHPArray() *phpArray { return &phpArray{vals: map[string]any{}} }

// add stores value under the variable name, brackets and all.
func (a *phpArray) add(name, value string) {
	base, path, ok := splitVarName(name)
	if !ok {
		return
	}
	cur, key := a, base
	for _, idx := range path {
		child, isArray := cur.vals[key].(*phpArray)
		if !isArray {
			child = newPHPArray()
			cur.set(key, child)
		}
		cur = child
		if idx == nil {
			key = strconv.FormatInt(cur.next, 10)
		} else {
			key = *idx
		}
	}
	cur.set(key, value)
}

// set stores v under key, keeping the key's first position.
func (a *phpArray) set(key string, v any) {
	if _, seen := a.vals[key]; !seen {
		a.keys = append(a.keys, key)
		if i, isInt := intKey(key); isInt && i >= a.next {
			a.next = i + 1
		}
	}
	a.vals[key] = v
}

// intKey reports whether PHP would take key as an integer key: a decimal
// number in canonical form that fits an int64.
func intKey(key string) (int64, bool) {
	if key == "" || len(key) > 20 {
		return 0, false
	}
	digits := strings.TrimPrefix(key, "-")
	if digits == "" || (digits[0] == '0' && (len(digits) > 1 || len(key) > 1)) {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	i, err := strconv.ParseInt(key, 10, 64)
	return i, err == nil
}

func (a *phpArray) toMap() map[string]any {
	m := make(map[string]any, len(a.keys))
	for _, k := range a.keys {
		m[k] = export(a.vals[k])
	}
	return m
}

// export turns an array into a list when its keys are 0, 1, ... in order.
func export(v any) any {
	a, ok := v.(*phpArray)
	if !ok {
		return v
	}
	for i, k := range a.keys {
		if k != strconv.Itoa(i) {
			return a.toMap()
		}
	}
	list := make([]any, len(a.keys))
	for i, k := range a.keys {
		list[i] = export(a.vals[k])
	}
	return list
}

// splitVarName splits "a[x][]" into "a" and the indices x and [] (nil), as
// PHP registers a variable: leading spaces dropped; in the base name spaces
// and dots become underscores; a "[" never closed becomes "_" too at the
// first level and ends the name deeper down; text after a "]" that no "["
// follows is ignored. ok is false for an empty base name or one nested too
// deep.
func splitVarName(name string) (base string, path []*string, ok bool) {
	name = strings.TrimLeft(name, " ")
	open := strings.IndexByte(name, '[')
	if open < 0 || strings.IndexByte(name[open:], ']') < 0 {
		base = underscores(name)
		return base, nil, base != ""
	}
	base = underscores(name[:open])
	if base == "" {
		return "", nil, false
	}
	rest := name[open:]
	for len(rest) > 0 && rest[0] == '[' {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			break
		}
		if len(path) == maxArrayDepth {
			return "", nil, false
		}
		if end == 1 {
			path = append(path, nil)
		} else {
			idx := rest[1:end]
			path = append(path, &idx)
		}
		rest = rest[end+1:]
	}
	return base, path, true
}

// underscores replaces the bytes PHP replaces in a variable's base name,
// byte by byte: a name need not be UTF-8.
func underscores(s string) string {
	if !strings.ContainsAny(s, " .[") {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c == ' ' || c == '.' || c == '[' {
			b[i] = '_'
		}
	}
	return string(b)
}
