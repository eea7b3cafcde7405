package bpmn

import (
	"encoding/json"
	"encoding/xml"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// This file maps the times of BPMN timerEventDefinitions to the model:
//
//	timeDuration P5D, PT5M, P1DT12H  -> RelativeTime{after, 5 days}, {after, 5 minutes}, {after, 36 hours}
//	timeDate 2025-03-01T09:00:00Z   -> Timer.DueDate (boundary timer), or for a timer
//	                                   catch event RelativeTime{after, 0 minutes, base: the date}
//	timeDate ${var} / #{var} / =var  -> RelativeTime{after, 0 minutes, base: expression var}
//	timeCycle R3/PT1H, R/PT1H        -> like timeDuration PT1H, with 3 (or -1: endless)
//	                                   Repetitions on a boundary timer or a timer start
//	                                   event; a timer catch event waits for the first
//	                                   occurrence only
//
// A duration mixing years or months with smaller units, a negative one, a
// duration or cycle given by an expression, a cycle with a start or end
// date or R0, and a cron cycle cannot be mapped: the element is
// unsupported. An empty time imports as a timer
// without a due time (a warning), as descriptive models have them.

var durationRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$`)
})

const (
	unitMinutes = "minutes"
	unitHours   = "hours"
	unitDays    = "days"
	unitWeeks   = "weeks"
	unitMonths  = "months"
	unitYears   = "years"
	after       = "after"
)

// parseDuration maps an ISO 8601 duration to "after" a number of one unit:
// the unit given when there is one, else the smallest given (seconds count
// as fractions of minutes).
func parseDuration(s string) (*workflow.RelativeTime, bool) {
	s = strings.TrimSpace(s)
	m := durationRE().FindStringSubmatch(s)
	if m == nil || strings.HasSuffix(s, "T") {
		return nil, false
	}
	var v [7]float64
	var present [7]bool
	n := 0
	for i := range v {
		if m[i+1] != "" {
			v[i], _ = strconv.ParseFloat(strings.Replace(m[i+1], ",", ".", 1), 64)
			present[i] = true
			n++
		}
	}
	const y, mo, w, d, h, mi, sec = 0, 1, 2, 3, 4, 5, 6
	rt := func(d float64, unit string) (*workflow.RelativeTime, bool) {
		return &workflow.RelativeTime{Type: after, Duration: d, DurationUnit: unit}, true
	}
	small := present[w] || present[d] || present[h] || present[mi] || present[sec]
	switch {
	case n == 0 || (present[y] || present[mo]) && small:
		return nil, false
	case present[y] && present[mo]:
		return rt(v[y]*12+v[mo], unitMonths)
	case present[y]:
		return rt(v[y], unitYears)
	case present[mo]:
		return rt(v[mo], unitMonths)
	case n == 1 && present[w]:
		return rt(v[w], unitWeeks)
	}
	minutes := ((v[w]*7+v[d])*24+v[h])*60 + v[mi] + v[sec]/60
	switch {
	case present[sec] || present[mi]:
		return rt(minutes, unitMinutes)
	case present[h]:
		return rt(minutes/60, unitHours)
	default:
		return rt(minutes/(24*60), unitDays)
	}
}

// isoDuration is the inverse of parseDuration for a plain "after" time.
func isoDuration(rt *workflow.RelativeTime) (string, bool) {
	if rt.Type != "" && rt.Type != after || rt.AtHour != nil || rt.AtMinute != nil || rt.Base != nil || rt.Duration < 0 {
		return "", false
	}
	n := strconv.FormatFloat(rt.Duration, 'f', -1, 64)
	switch rt.DurationUnit {
	case unitMinutes:
		return "PT" + n + "M", true
	case unitHours:
		return "PT" + n + "H", true
	case unitDays:
		return "P" + n + "D", true
	case unitWeeks:
		return "P" + n + "W", true
	case unitMonths:
		return "P" + n + "M", true
	case unitYears:
		return "P" + n + "Y", true
	}
	return "", false
}

var pathRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$`)
})

// exprPath returns the variable path of an expression written as ${path},
// #{path} (JUEL) or =path (FEEL).
func exprPath(s string) (string, bool) {
	s = strings.TrimSpace(s)
	switch {
	case (strings.HasPrefix(s, "${") || strings.HasPrefix(s, "#{")) && strings.HasSuffix(s, "}"):
		s = s[2 : len(s)-1]
	case strings.HasPrefix(s, "="):
		s = s[1:]
	default:
		return "", false
	}
	s = strings.TrimSpace(s)
	return s, pathRE().MatchString(s)
}

// isExpression reports whether s is written in an expression language.
func isExpression(s string) bool {
	s = strings.TrimSpace(s)
	return strings.Contains(s, "${") || strings.Contains(s, "#{") || strings.HasPrefix(s, "=")
}

var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"}

func parseDate(s string) (time.Time, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var cycleRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^R(\d*)/(P[^/]+)$`)
})

// timerTime is what a timerEventDefinition says about when it is due.
type timerTime struct {
	due     *workflow.RelativeTime
	date    *time.Time
	repeat  int    // a cycle's repetitions (-1: endless); 0 for other times
	empty   bool   // no time given
	problem string // why it cannot be mapped, as an Element type suffix
}

// readTimerTime reads (and removes, when mapped) the time of a
// timerEventDefinition. A literal date goes to date for a boundary timer
// or timer start event (dateAsBase false), else into due as its base.
func readTimerTime(def *node, dateAsBase bool) timerTime {
	var k *node
	for _, c := range def.Kids {
		if c.is(nsModel, "timeDuration") || c.is(nsModel, "timeDate") || c.is(nsModel, "timeCycle") {
			k = c
			break
		}
	}
	if k == nil || strings.TrimSpace(k.Text) == "" {
		return timerTime{empty: true}
	}
	text := strings.TrimSpace(k.Text)
	var tt timerTime
	switch k.Name.Local {
	case "timeDuration":
		if rt, ok := parseDuration(text); ok {
			tt.due = rt
		}
	case "timeDate":
		if p, ok := exprPath(text); ok {
			tt.due = baseTime(&workflow.Binding{Expression: p})
		} else if d, ok := parseDate(text); ok {
			if dateAsBase {
				v, _ := json.Marshal(text)
				tt.due = baseTime(&workflow.Binding{Value: v, Type: &workflow.DataType{Name: workflow.TypeDate}})
			} else {
				tt.date = &d
			}
		}
	case "timeCycle":
		if m := cycleRE().FindStringSubmatch(text); m != nil {
			n, err := strconv.Atoi(m[1])
			switch {
			case m[1] == "":
				n = -1
			case err != nil || n < 1:
				return timerTime{problem: "timeCycle"}
			}
			if rt, ok := parseDuration(m[2]); ok {
				tt.due, tt.repeat = rt, n
			}
		}
	}
	if tt.due == nil && tt.date == nil {
		return timerTime{problem: k.Name.Local}
	}
	def.takeKid(k)
	return tt
}

func baseTime(b *workflow.Binding) *workflow.RelativeTime {
	return &workflow.RelativeTime{Type: after, DurationUnit: unitMinutes, Base: b}
}

// writeTimerTime adds the standard time of due (or date) to def, as a
// cycle when repeat is not 0, and returns an e:due element when the
// standard form cannot carry due exactly and an e:repetitions element when
// it cannot carry repeat.
func writeTimerTime(def *node, due *workflow.RelativeTime, date *time.Time, dateAsBase bool, repeat int) []*node {
	local, text := "", ""
	switch {
	case date != nil:
		local, text = "timeDate", date.Format(time.RFC3339Nano)
	case due != nil:
		if d, ok := isoDuration(due); ok && repeat != 0 {
			local, text = "timeCycle", "R/"+d
			if repeat > 0 {
				local, text = "timeCycle", "R"+strconv.Itoa(repeat)+"/"+d
			}
		} else if ok {
			local, text = "timeDuration", d
		} else if b := due.Base; b != nil && due.Duration == 0 {
			var s string
			if b.Expression != "" && pathRE().MatchString(b.Expression) {
				local, text = "timeDate", "${"+b.Expression+"}"
			} else if json.Unmarshal(b.Value, &s) == nil {
				local, text = "timeDate", s
			}
		}
	}
	if local != "" {
		for _, l := range []string{"timeDuration", "timeDate", "timeCycle"} {
			def.takeAll(nsModel, l)
		}
		def.add(formalExpr(local, text))
	}
	probe := def.clone()
	back := readTimerTime(probe, dateAsBase)
	var ext []*node
	if due != nil && (date != nil || !reflect.DeepEqual(back.due, due)) {
		ext = append(ext, writeRelativeTime("due", due))
	}
	if back.repeat != repeat {
		ext = append(ext, el("repetitions").set("", "value", strconv.Itoa(repeat)))
	}
	return ext
}

// readRepetitions reads the e:repetitions extension of n, if any.
func readRepetitions(n *node, repeat *int) {
	if r := n.takeExt1(nsE, "repetitions"); r != nil {
		if v, err := strconv.Atoi(eAttr(r, "value")); err == nil {
			*repeat = v
		}
	}
}

// formalExpr is a BPMN expression element (xsi:type tFormalExpression).
func formalExpr(local, text string) *node {
	n := newNode(nsModel, local)
	n.Text = text
	n.Attrs = []attr{{Name: xml.Name{Space: nsXSI, Local: "type"}, Value: "tFormalExpression", ValueNS: nsModel}}
	return n
}
