package echo

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// tv14 is the echo help page's own example, flaws included (protocol.md TV14).
const tv14 = "https://MyExperienceCloudSite.my.site.com/services/oauth2/echo?code=aPrxr*******%3D%3D&state=mystate&sfdc_community_url=https%3A%2F%2FMyExperienceCloudSite.my.site.com%&sfdc_community_id=0DBRXXXXXXXXX"

// tv12 is the Salesforce CLI's loopback callback (protocol.md TV12).
const tv12 = "http://localhost:1717/OauthRedirect?code=aPrxGfV7WpWWFnEHqst_Stl_FyuCAgbsneQ6zSM2DJPi228_A_tXCg8ztb1cPKimwp8ENHaGvg%3D%3D&state=5e464f1da81b"

func TestParseTV14(t *testing.T) {
	t.Parallel()
	r, err := Parse(tv14)
	if err != nil {
		t.Fatalf("Parse(TV14) error: %v", err)
	}
	want := Params{
		"code":               "aPrxr*******==",
		"state":              "mystate",
		"sfdc_community_url": "https://MyExperienceCloudSite.my.site.com",
		"sfdc_community_id":  "0DBRXXXXXXXXX",
	}
	if !reflect.DeepEqual(r.Params, want) {
		t.Errorf("Parse(TV14).Params = %v; want %v", r.Params, want)
	}
	if r.Source != SourceQuery {
		t.Errorf("Source = %q; want %q", r.Source, SourceQuery)
	}
	if len(r.Problems) != 1 || r.Problems[0].Param != "sfdc_community_url" || r.Problems[0].Kind != KindMalformedEscape {
		t.Fatalf("Problems = %v; want one malformed-escape on sfdc_community_url", r.Problems)
	}
	msg := r.Problems[0].String()
	for _, s := range []string{`"sfdc_community_url"`, "malformed percent-escape", "at the end"} {
		if !strings.Contains(msg, s) {
			t.Errorf("problem %q does not mention %q", msg, s)
		}
	}
	if got := r.Check("mystate"); len(got) != 1 {
		t.Errorf("Check(mystate) = %v; want only the syntax problem", got)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		want   Params
		source string
		kinds  []string // Problems' kinds, in order
	}{
		{"TV12 loopback", tv12, Params{"code": "aPrxGfV7WpWWFnEHqst_Stl_FyuCAgbsneQ6zSM2DJPi228_A_tXCg8ztb1cPKimwp8ENHaGvg==", "state": "5e464f1da81b"}, SourceQuery, nil},
		{"TV11 web server error", "https://www.mycustomerorderstatus/code_callback.jsp?error=access-denied",
			Params{"error": "access-denied"}, SourceQuery, nil},
		{"TV11 user-agent error", "https://www.customercontactinfo.com/user_callback.jsp#error=access_denied",
			Params{"error": "access_denied"}, SourceFragment, nil},
		{"prefix site", "https://acme.my.site.com/shop/services/oauth2/echo?code=aPrx1%2B2%2F3%3D%3D&sfdc_community_url=https%3A%2F%2Facme.my.site.com%2Fshop&sfdc_community_id=0DB5e000000XXXX&state=s1",
			Params{"code": "aPrx1+2/3==", "sfdc_community_url": "https://acme.my.site.com/shop", "sfdc_community_id": "0DB5e000000XXXX", "state": "s1"}, SourceQuery, nil},
		{"LWR vforcesite prefix", "https://acme.my.site.com/shopvforcesite/services/oauth2/echo?code=c&state=s",
			Params{"code": "c", "state": "s"}, SourceQuery, nil},
		{"error with description", "https://acme.my.site.com/services/oauth2/echo?error=invalid_grant&error_description=authentication+failure&state=x",
			Params{"error": "invalid_grant", "error_description": "authentication failure", "state": "x"}, SourceQuery, nil},
		{"plus is space, %2B is plus", "/cb?a=1+2&b=1%2B2", Params{"a": "1 2", "b": "1+2"}, SourceQuery, nil},
		{"repeated key keeps first", "/cb?state=a&code=c&state=b&state=c", Params{"state": "a", "code": "c"}, SourceQuery, []string{KindRepeatedKey}},
		{"two bad escapes", "/cb?code=ok&x=%zz%4", Params{"code": "ok", "x": "zz4"}, SourceQuery, []string{KindMalformedEscape}},
		{"bad escape in key", "/cb?co%dg=1&code=2", Params{"codg": "1", "code": "2"}, SourceQuery, []string{KindMalformedEscape}},
		{"invalid utf8", "/cb?code=%FF%FEok", Params{"code": "\uFFFDok"}, SourceQuery, []string{KindInvalidUTF8}},
		{"empty key dropped", "/cb?=x&code=1", Params{"code": "1"}, SourceQuery, []string{KindEmptyKey}},
		{"no equals", "/cb?code&state=", Params{"code": "", "state": ""}, SourceQuery, nil},
		{"empty pieces", "/cb?&&code=1&&", Params{"code": "1"}, SourceQuery, nil},
		{"semicolon is not a separator", "/cb?code=a;b", Params{"code": "a;b"}, SourceQuery, nil},
		{"query and fragment merge", "https://h/cb?code=1&state=q#state=f&extra=e",
			Params{"code": "1", "state": "q", "extra": "e"}, SourceBoth, []string{KindRepeatedKey}},
		{"anchor fragment ignored", "https://h/cb?code=1#top", Params{"code": "1"}, SourceQuery, nil},
		{"bare query", "code=abc&state=x", Params{"code": "abc", "state": "x"}, SourceQuery, nil},
		{"bare ?query", "?code=abc", Params{"code": "abc"}, SourceQuery, nil},
		{"bare fragment", "#error=access_denied&error_description=end-user+denied+authorization",
			Params{"error": "access_denied", "error_description": "end-user denied authorization"}, SourceFragment, nil},
		{"Location header line", "< Location: https://h/services/oauth2/echo?code=x%3D%3D&state=s\r\n",
			Params{"code": "x==", "state": "s"}, SourceQuery, nil},
		{"quoted", `  "https://h/cb?code=1"  `, Params{"code": "1"}, SourceQuery, nil},
		{"custom scheme", "com.example.app:/oauth2/callback?code=1", Params{"code": "1"}, SourceQuery, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if !reflect.DeepEqual(r.Params, tt.want) {
				t.Errorf("Parse(%q).Params = %v; want %v", tt.in, r.Params, tt.want)
			}
			if r.Source != tt.source {
				t.Errorf("Parse(%q).Source = %q; want %q", tt.in, r.Source, tt.source)
			}
			if got := kinds(r.Problems); !reflect.DeepEqual(got, tt.kinds) {
				t.Errorf("Parse(%q) problem kinds = %v; want %v (%v)", tt.in, got, tt.kinds, r.Problems)
			}
		})
	}
}

func TestParseNoParams(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "   ", "https://acme.my.site.com/services/oauth2/echo", "https://h/cb?", "https://h/cb?#",
		"https://h/cb?&&", "https://h/cb#section", "hello world", "hello world?code=1", "http://h:port/x?code=1",
		"<>", "/cb?=",
	} {
		r, err := Parse(in)
		if !errors.Is(err, ErrNoParams) {
			t.Errorf("Parse(%q) = %v, %v; want ErrNoParams", in, r, err)
		}
	}
}

func TestParseErrorNeverQuotesInput(t *testing.T) {
	t.Parallel()
	_, err := Parse("not a url SECRET-CODE?code=SECRET-CODE")
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("Parse error = %v; want an error without the input", err)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		wantState string
		kinds     []string
		mentions  []string // substrings of the joined messages
	}{
		{"good", tv12, "5e464f1da81b", nil, nil},
		{"no state check", tv12, "", nil, nil},
		{"state mismatch", tv12, "other", []string{KindStateMismatch}, []string{`"state"`, "does not match"}},
		{"missing state", "/cb?code=1", "s", []string{KindMissingState}, []string{"missing"}},
		{"missing code", "/cb?state=s", "s", []string{KindMissingCode}, []string{`"code"`}},
		{"access-denied hyphen", "/cb?error=access-denied", "", []string{KindError}, []string{`"access-denied"`, "denied in the browser"}},
		{"invalid_grant", "/cb?error=invalid_grant&error_description=authentication+failure", "",
			[]string{KindError}, []string{`"invalid_grant"`, `"authentication failure"`, "rejected"}},
		{"unknown error", "/cb?error=weird_thing", "", []string{KindError}, []string{`"weird_thing"`}},
		{"error and bad state", "/cb?error=access_denied&state=x", "y", []string{KindError, KindStateMismatch}, nil},
		{"syntax then semantic", "/cb?code=1&code=2&state=%", "s", []string{KindMalformedEscape, KindRepeatedKey, KindStateMismatch}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			probs := r.Check(tt.wantState)
			if got := kinds(probs); !reflect.DeepEqual(got, tt.kinds) {
				t.Errorf("Check(%q) kinds = %v; want %v (%v)", tt.wantState, got, tt.kinds, probs)
			}
			var msgs []string
			for _, p := range probs {
				msgs = append(msgs, p.String())
			}
			joined := strings.Join(msgs, "\n")
			for _, m := range tt.mentions {
				if !strings.Contains(joined, m) {
					t.Errorf("messages %q do not mention %q", joined, m)
				}
			}
		})
	}
}

// TestProblemsNeverQuoteSecrets plants a recognizable code and state in
// every kind of flawed position and checks no message carries them.
func TestProblemsNeverQuoteSecrets(t *testing.T) {
	t.Parallel()
	const secret = "CANARYsecret"
	in := "/cb?code=" + secret + "%&code=" + secret + "&state=" + secret + "%FF&x=" + secret + "%zz#code=" + secret
	r, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	probs := r.Check("expected-" + secret)
	if len(probs) < 4 {
		t.Fatalf("expected several problems, got %v", probs)
	}
	for _, p := range probs {
		if strings.Contains(p.String(), secret) {
			t.Errorf("problem %q quotes a secret", p)
		}
	}
}

func TestParamsJSON(t *testing.T) {
	t.Parallel()
	r, err := Parse(tv14)
	if err != nil {
		t.Fatal(err)
	}
	got := string(r.Params.JSON())
	want := `{"code":"aPrxr*******==","sfdc_community_id":"0DBRXXXXXXXXX","sfdc_community_url":"https://MyExperienceCloudSite.my.site.com","state":"mystate"}`
	if got != want {
		t.Errorf("JSON() = %s; want %s", got, want)
	}
	if got := string(Params(nil).JSON()); got != "{}" {
		t.Errorf("nil JSON() = %s; want {}", got)
	}
	if got := string((Params{"u": "a&b<c>"}).JSON()); got != `{"u":"a&b<c>"}` {
		t.Errorf("JSON() escapes HTML: %s", got)
	}
}

func TestExplainError(t *testing.T) {
	t.Parallel()
	for _, c := range []string{"access_denied", "access-denied", "ACCESS_DENIED", "invalid_client_id", "redirect_uri_mismatch"} {
		if ExplainError(c) == "" {
			t.Errorf("ExplainError(%q) is empty", c)
		}
	}
	if got := ExplainError("no_such_code"); got != "" {
		t.Errorf("ExplainError(unknown) = %q; want empty", got)
	}
}

func kinds(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Kind)
	}
	return out
}

// FuzzParse checks that Parse never panics, that an accepted input always
// yields Params whose JSON is valid and round-trips, and that problems
// never quote the value of code or state.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		tv14, tv12,
		"https://www.mycustomerorderstatus/code_callback.jsp?error=access-denied",
		"https://www.customercontactinfo.com/user_callback.jsp#error=access_denied",
		"https://acme.my.site.com/shop/services/oauth2/echo?code=aPrx%2B%2F%3D%3D&sfdc_community_url=https%3A%2F%2Facme.my.site.com%2Fshop&sfdc_community_id=0DB&state=s",
		"https://acme.my.site.com/services/oauth2/echo?error=invalid_grant&error_description=authentication+failure",
		"http://127.0.0.1:43123/services/oauth2/echo?code=a&state=b#c=d",
		"Location: https://h/cb?code=%FF%",
		"code=1&code=2&=3&%zz=%",
		"#error=access_denied&state=x",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := Parse(in)
		if err != nil {
			if !errors.Is(err, ErrNoParams) {
				t.Fatalf("Parse error %v is not ErrNoParams", err)
			}
			return
		}
		if len(r.Params) == 0 {
			t.Fatalf("Parse(%q) accepted with no params", in)
		}
		b := r.Params.JSON()
		if !json.Valid(b) {
			t.Fatalf("Params.JSON() = %q is not valid JSON", b)
		}
		var back map[string]string
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(Params(back), r.Params) {
			t.Fatalf("JSON round trip: %v, %v != %v", err, back, r.Params)
		}
		if _, err := json.Marshal(r.Params); err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		// A Detail may quote the site's error and error_description, and a
		// Param is a name; every other Detail must not carry a value.
		for _, p := range r.Check("fuzz-state") {
			if p.Kind == KindError {
				continue
			}
			for _, k := range []string{"code", "state"} {
				if v := r.Params[k]; len(v) >= 8 && strings.Contains(p.Detail, v) {
					t.Fatalf("problem %q quotes the %s value", p, k)
				}
			}
		}
	})
}
