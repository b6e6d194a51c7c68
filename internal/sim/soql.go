package sim

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// soqlQuery is the SOQL subset the site understands:
//
//	SELECT field[, field…] FROM Account [WHERE field = 'text'] [ORDER BY field [ASC|DESC]] [LIMIT n]
//
// Keywords and field names are case-insensitive; fields come back with
// their canonical names.
type soqlQuery struct {
	fields            []string
	whereField, where string
	orderBy           string
	desc              bool
	limit             int // -1: none
}

// soqlError is a query error worded as Salesforce words it: on several
// lines, the query, a caret under the offending token, its position and
// the reason.
type soqlError struct{ code, msg string }

func badQuery(q string, pos int, code, reason string) *soqlError {
	return &soqlError{code, fmt.Sprintf("\n%s\n%s^\nERROR at Row:1:Column:%d\n%s", q, strings.Repeat(" ", pos), pos+1, reason)}
}

type soqlToken struct {
	text   string
	pos    int
	quoted bool // a string literal
}

func lexSOQL(q string) ([]soqlToken, *soqlError) {
	var toks []soqlToken
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == ',' || c == '=':
			toks = append(toks, soqlToken{text: string(c), pos: i})
			i++
		case c == '\'':
			lit, n, ok := stringLiteral(q[i+1:])
			if !ok {
				return nil, badQuery(q, i, "MALFORMED_QUERY", "unterminated string literal")
			}
			toks = append(toks, soqlToken{text: lit, pos: i, quoted: true})
			i += n + 2
		case identByte(c):
			j := i
			for j < len(q) && identByte(q[j]) {
				j++
			}
			toks = append(toks, soqlToken{text: q[i:j], pos: i})
			i = j
		default:
			r, _ := utf8.DecodeRuneInString(q[i:])
			return nil, badQuery(q, i, "MALFORMED_QUERY", "unexpected token: '"+string(r)+"'")
		}
	}
	return toks, nil
}

// stringLiteral reads a quoted literal's body up to the closing quote,
// with backslash escapes; n is the length of the raw body.
func stringLiteral(s string) (lit string, n int, ok bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case s[i] == '\'':
			return b.String(), i, true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, false
}

func identByte(c byte) bool {
	return c == '_' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

var soqlKeywords = []string{"SELECT", "FROM", "WHERE", "ORDER", "BY", "LIMIT", "ASC", "DESC"}

type soqlParser struct {
	q    string
	toks []soqlToken
	i    int
}

func (p *soqlParser) peek() *soqlToken {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return nil
}

// keyword consumes the keyword k if it comes next.
func (p *soqlParser) keyword(k string) bool {
	if t := p.peek(); t != nil && !t.quoted && strings.EqualFold(t.text, k) {
		p.i++
		return true
	}
	return false
}

// punct consumes "," or "=" if it comes next.
func (p *soqlParser) punct(c string) bool {
	if t := p.peek(); t != nil && !t.quoted && t.text == c {
		p.i++
		return true
	}
	return false
}

func (p *soqlParser) unexpected() *soqlError {
	if t := p.peek(); t != nil {
		return badQuery(p.q, t.pos, "MALFORMED_QUERY", "unexpected token: '"+t.text+"'")
	}
	return badQuery(p.q, len(p.q), "MALFORMED_QUERY", "unexpected end of query")
}

// ident consumes a name that is not a keyword.
func (p *soqlParser) ident() (soqlToken, bool) {
	t := p.peek()
	if t == nil || t.quoted || !identByte(t.text[0]) {
		return soqlToken{}, false
	}
	for _, k := range soqlKeywords {
		if strings.EqualFold(t.text, k) {
			return soqlToken{}, false
		}
	}
	p.i++
	return *t, true
}

// field consumes an Account field name.
func (p *soqlParser) field() (string, *soqlError) {
	t, ok := p.ident()
	if !ok {
		return "", p.unexpected()
	}
	if f := accountField(t.text); f != "" {
		return f, nil
	}
	return "", badQuery(p.q, t.pos, "INVALID_FIELD", "No such column '"+t.text+"' on entity 'Account'. "+
		"If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. "+
		"Please reference your WSDL or the describe call for the appropriate names.")
}

// parseSOQL parses q. The object is checked before the fields, as
// Salesforce does.
func parseSOQL(q string) (*soqlQuery, *soqlError) {
	toks, err := lexSOQL(q)
	if err != nil {
		return nil, err
	}
	p := &soqlParser{q: q, toks: toks}
	if !p.keyword("SELECT") {
		return nil, p.unexpected()
	}
	start := p.i
	for {
		if _, ok := p.ident(); !ok {
			return nil, p.unexpected()
		}
		if !p.punct(",") {
			break
		}
	}
	end := p.i
	if !p.keyword("FROM") {
		return nil, p.unexpected()
	}
	obj, ok := p.ident()
	if !ok {
		return nil, p.unexpected()
	}
	if !strings.EqualFold(obj.text, "Account") {
		return nil, badQuery(q, obj.pos, "INVALID_TYPE", "sObject type '"+obj.text+"' is not supported. "+
			"If you are attempting to use a custom object, be sure to append the '__c' after the entity name. "+
			"Please reference your WSDL or the describe call for the appropriate names.")
	}
	sq := &soqlQuery{limit: -1}
	if err := sq.selectFields(p, start, end); err != nil {
		return nil, err
	}
	if err := sq.clauses(p); err != nil {
		return nil, err
	}
	if p.peek() != nil {
		return nil, p.unexpected()
	}
	return sq, nil
}

// selectFields re-reads the field list between tokens start and end.
func (sq *soqlQuery) selectFields(p *soqlParser, start, end int) *soqlError {
	fp := &soqlParser{q: p.q, toks: p.toks[start:end]}
	for fp.peek() != nil {
		pos := fp.peek().pos
		f, err := fp.field()
		if err != nil {
			return err
		}
		for _, g := range sq.fields {
			if g == f {
				return badQuery(p.q, pos, "MALFORMED_QUERY", "duplicate field selected: "+f)
			}
		}
		sq.fields = append(sq.fields, f)
		fp.punct(",")
	}
	return nil
}

// clauses reads WHERE, ORDER BY and LIMIT, each optional, in that order.
func (sq *soqlQuery) clauses(p *soqlParser) *soqlError {
	var err *soqlError
	if p.keyword("WHERE") {
		if sq.whereField, err = p.field(); err != nil {
			return err
		}
		if !p.punct("=") {
			return p.unexpected()
		}
		t := p.peek()
		if t == nil || !t.quoted {
			return p.unexpected()
		}
		sq.where = t.text
		p.i++
	}
	if p.keyword("ORDER") {
		if !p.keyword("BY") {
			return p.unexpected()
		}
		if sq.orderBy, err = p.field(); err != nil {
			return err
		}
		if !p.keyword("ASC") {
			sq.desc = p.keyword("DESC")
		}
	}
	if p.keyword("LIMIT") {
		t := p.peek()
		n, cerr := 0, error(nil)
		if t != nil {
			n, cerr = strconv.Atoi(t.text)
		}
		if t == nil || t.quoted || cerr != nil || n < 0 {
			return p.unexpected()
		}
		sq.limit = n
		p.i++
	}
	return nil
}
