//go:build js

package main

import (
	"errors"
	"fmt"
	"strconv"
	"syscall/js"
)

// maxWeights bounds a weights download: a 784-400-20 model is about 2.6 MB,
// and a wrong URL should not fill the tab's memory.
const maxWeights = 256 << 20

// await waits for a JavaScript promise and returns its value, or its
// rejection as an error.
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: args[0]}
		return nil
	})
	defer then.Release()
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{err: errors.New(js.Global().Call("String", args[0]).String())}
		return nil
	})
	defer catch.Release()
	p.Call("then", then, catch)
	r := <-ch
	return r.v, r.err
}

// compressed reports whether a response's body travelled with a content
// encoding other than identity.
func compressed(headers js.Value) bool {
	enc := headers.Call("get", "Content-Encoding")
	return enc.Type() == js.TypeString && enc.String() != "" && enc.String() != "identity"
}

// fetchBytes fetches url relative to the page and returns the body, calling
// progress with the bytes received so far and the Content-Length (0 when the
// server does not tell).
func fetchBytes(url string, progress func(got, total int64)) (_ []byte, err error) {
	defer func() {
		if r := recover(); r != nil { // a JavaScript exception from the calls below
			err = fmt.Errorf("%s: %v", url, r)
		}
	}()
	resp, err := await(js.Global().Call("fetch", url))
	if err != nil {
		return nil, fmt.Errorf("%s: fetch failed (network error, or the server does not allow this page to read it: CORS): %w", url, err)
	}
	if !resp.Get("ok").Bool() {
		msg := fmt.Sprintf("%s: HTTP %d", url, resp.Get("status").Int())
		if st := resp.Get("statusText").String(); st != "" {
			msg += " " + st
		}
		return nil, errors.New(msg)
	}
	var total int64
	headers := resp.Get("headers")
	// A compressed body's Content-Length counts compressed bytes, while the
	// reader yields decompressed ones: then the size is unknown.
	if cl := headers.Call("get", "Content-Length"); cl.Type() == js.TypeString && !compressed(headers) {
		total, _ = strconv.ParseInt(cl.String(), 10, 64) // a bad header only costs the progress bar
	}
	if total > maxWeights {
		return nil, fmt.Errorf("%s: %d bytes, more than weights can be (%d)", url, total, maxWeights)
	}
	body := resp.Get("body")
	if body.IsNull() || body.IsUndefined() { // no streams: take it whole
		buf, err := await(resp.Call("arrayBuffer"))
		if err != nil {
			return nil, fmt.Errorf("%s: reading the body: %w", url, err)
		}
		arr := js.Global().Get("Uint8Array").New(buf)
		data := make([]byte, arr.Get("length").Int())
		js.CopyBytesToGo(data, arr)
		progress(int64(len(data)), total)
		return data, nil
	}
	reader := body.Call("getReader")
	data := make([]byte, 0, max(total, 0))
	for {
		chunk, err := await(reader.Call("read"))
		if err != nil {
			return nil, fmt.Errorf("%s: reading the body after %d bytes: %w", url, len(data), err)
		}
		if chunk.Get("done").Bool() {
			return data, nil
		}
		v := chunk.Get("value")
		n := v.Get("length").Int()
		if len(data)+n > maxWeights {
			reader.Call("cancel")
			return nil, fmt.Errorf("%s: more than %d bytes, more than weights can be", url, maxWeights)
		}
		data = append(data, make([]byte, n)...)
		js.CopyBytesToGo(data[len(data)-n:], v)
		progress(int64(len(data)), total)
	}
}
