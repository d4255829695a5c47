package image

import (
	"errors"
	"reflect"
	"testing"
)

// fillValue sets every field reachable from v to a value unlike its zero
// value, different for each field (n counts them).
func fillValue(t *testing.T, v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(string(rune('a'+*n%26)) + "\xff\x00" + string(rune('0'+*n%10)))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(-1000 - *n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.25)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			fillValue(t, s.Index(i), n)
		}
		v.Set(s)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fillValue(t, v.Field(i), n)
		}
	default:
		t.Fatalf("field of kind %s: teach encodeMeta (and this test) about it", v.Kind())
	}
}

// TestMetaCoversEveryField: a Meta with every field set, those of its
// Options and InitEnv included, comes back whole; a field added to Meta
// or lua.Options without its place in meta.go fails here.
func TestMetaCoversEveryField(t *testing.T) {
	var m Meta
	n := 0
	fillValue(t, reflect.ValueOf(&m).Elem(), &n)
	back, err := decodeMeta(encodeMeta(nil, &m))
	if err != nil || !reflect.DeepEqual(back, m) {
		t.Fatalf("decoded %+v, %v\nwant %+v", back, err, m)
	}
}

// TestDecodeMetaRefuses: cut or padded metadata, a list longer than the
// bytes left and a bool that is neither 0 nor 1 are refused.
func TestDecodeMetaRefuses(t *testing.T) {
	m := sampleImage().Meta
	data := encodeMeta(nil, &m)
	for n := 0; n < len(data); n++ {
		if _, err := decodeMeta(data[:n]); !errors.Is(err, errMetaTruncated) {
			t.Fatalf("a %d-byte prefix of %d decoded: %v", n, len(data), err)
		}
	}
	if _, err := decodeMeta(append(data, 0)); err == nil {
		t.Error("metadata with a byte after it decoded")
	}
	huge := encodeMeta(nil, &Meta{Script: "s"})
	huge = append(huge[:len(huge)-1], 0xff, 0xff, 0xff, 0xff, 0x0f) // WatchAbsent: 4G entries
	if _, err := decodeMeta(huge); err == nil {
		t.Error("a list longer than the metadata decoded")
	}
	bad := encodeMeta(nil, &Meta{Script: "s"})
	bad[1+1+1+8] = 2 // AutoreloadInc, after Script, MaxServers and IdleTimeout
	if _, err := decodeMeta(bad); err == nil {
		t.Error("a bool of 2 decoded")
	}
}
