//! Pictures drawn on the server as inline SVG: a radar (a check-in's profile), grouped horizontal
//! bars (the same with fewer than three competencies, or any labelled values), lines over time (KPI
//! trends) and the colour steps of a heat map.
//!
//! Every chart is built from the same input, [`ChartSpec`]: labels (the radar's axes, the bars'
//! categories, the line's points in time) and one or more [`Series`] of values, one per label, on a
//! [`Scale`]. The SVG has no `style` attribute (the Content Security Policy forbids them): shapes
//! carry classes (`series-0`, `grid`, ...) that `static/app.css` colours. Each chart is an image with
//! a title and a description (`role="img"`, `aria-labelledby`); pages show the same values as a
//! table or text beside it, since a picture alone is not accessible.
//!
//! Charting crates were considered first: charts-rs embeds a font and draws fixed theme colours
//! without classes or accessible names; plotters has no radar and also paints colours into every
//! shape. This module is small, pure and tested instead.

use std::f64::consts::PI;
use std::fmt::{self, Write as _};

/// The markup of a chart, with every text inside it already escaped, so that a template may
/// write it out as it is (`{{ chart|safe }}`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Svg(String);

impl Svg {
    /// Markup another module of this folder drew, every text in it escaped with [`escape`].
    pub(super) fn drawn(markup: String) -> Svg {
        Svg(markup)
    }
}

impl fmt::Display for Svg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One line of values, one per label of the chart; `None` where there is no value (a competency
/// rated not applicable, a month without data).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub values: Vec<Option<f64>>,
}

impl Series {
    pub fn new(label: impl Into<String>, values: Vec<Option<f64>>) -> Series {
        Series {
            label: label.into(),
            values,
        }
    }
}

/// A labelled value on the scale: a grid line, and the word shown for a value that falls on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: String,
}

/// The range values are drawn on, with its grid lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    pub min: f64,
    pub max: f64,
    pub ticks: Vec<Tick>,
}

impl Scale {
    /// A scale with named steps, such as a rating scale (1 = below ... 4 = exceeds).
    pub fn named(min: f64, max: f64, ticks: &[(f64, &str)]) -> Scale {
        Scale {
            min,
            max,
            ticks: ticks
                .iter()
                .map(|(value, label)| Tick {
                    value: *value,
                    label: (*label).to_owned(),
                })
                .collect(),
        }
    }

    /// A numeric scale from `min` to `max` with a grid line every `step`.
    pub fn linear(min: f64, max: f64, step: f64) -> Scale {
        let mut ticks = Vec::new();
        if step > 0.0 && max > min {
            let mut v = min;
            while v <= max + step / 1000.0 {
                ticks.push(Tick {
                    value: v,
                    label: number(v),
                });
                v += step;
            }
        }
        Scale { min, max, ticks }
    }

    /// A numeric scale from zero to a round number at or above the largest value, with about five
    /// grid lines: for counts and percentages whose range is not known beforehand.
    pub fn fitting(series: &[Series]) -> Scale {
        let top = series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .fold(0.0_f64, |a, b| a.max(*b));
        let step = nice_step(top / 5.0);
        let max = ((top / step).ceil() * step).max(step);
        Scale::linear(0.0, max, step)
    }

    /// Where `value` falls between `min` (0) and `max` (1), kept inside the chart.
    pub fn fraction(&self, value: f64) -> f64 {
        if self.max <= self.min {
            return 0.0;
        }
        ((value - self.min) / (self.max - self.min)).clamp(0.0, 1.0)
    }

    /// The word for a value: its tick's label when it falls on one, else the number.
    pub fn label_for(&self, value: f64) -> String {
        self.ticks
            .iter()
            .find(|t| (t.value - value).abs() < 1e-9)
            .map_or_else(|| number(value), |t| t.label.clone())
    }
}

/// 1, 2 or 5 times a power of ten, at or above `rough`.
fn nice_step(rough: f64) -> f64 {
    if rough <= 0.0 || !rough.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(rough.log10().floor());
    let base = rough / power;
    let nice = if base <= 1.0 {
        1.0
    } else if base <= 2.0 {
        2.0
    } else if base <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// What a chart shows.
pub struct ChartSpec<'a> {
    /// The start of the ids inside the SVG; unique on the page (`[a-z0-9-]`).
    pub id: &'a str,
    /// What the picture is, for screen readers (the `<title>`).
    pub title: &'a str,
    /// What it shows, in a sentence (the `<desc>`).
    pub description: &'a str,
    /// The radar's axes, the bars' categories, the line's points in time.
    pub labels: &'a [String],
    pub series: &'a [Series],
    pub scale: &'a Scale,
}

/// Escapes text for SVG (XML) content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most one decimal, without trailing zeros: short, stable markup.
pub(super) fn number(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// The point at `fraction` of the radius along the `i`-th of `n` axes, the first pointing up and
/// the others following clockwise.
pub fn polar(center: (f64, f64), radius: f64, i: usize, n: usize, fraction: f64) -> (f64, f64) {
    let angle = -PI / 2.0 + 2.0 * PI * (i as f64) / (n.max(1) as f64);
    (
        center.0 + radius * fraction * angle.cos(),
        center.1 + radius * fraction * angle.sin(),
    )
}

fn points(list: &[(f64, f64)]) -> String {
    list.iter()
        .map(|(x, y)| format!("{},{}", number(*x), number(*y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits a label into lines of about `width` characters at spaces, at most `max_lines` lines (the
/// last one ends with an ellipsis when the label is longer).
fn wrap(label: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in label.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines
}

/// The opening of every chart: the accessible name and description, and the legend.
fn open(out: &mut String, spec: &ChartSpec<'_>, kind: &str, width: f64, height: f64) {
    let id = escape(spec.id);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-{kind}\" viewBox=\"0 0 {} {}\" \
         role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" focusable=\"false\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        number(width),
        number(height),
        escape(spec.title),
        escape(spec.description),
    );
}

/// The legend row at the top: a swatch and the name of each series.
fn legend(out: &mut String, series: &[Series], x: f64, y: f64) {
    out.push_str("<g class=\"legend\" aria-hidden=\"true\">");
    let mut at = x;
    for (i, s) in series.iter().enumerate() {
        let _ = write!(
            out,
            "<rect class=\"swatch series-{i}\" x=\"{}\" y=\"{}\" width=\"12\" height=\"12\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            number(at),
            number(y - 10.0),
            number(at + 16.0),
            number(y),
            escape(&s.label)
        );
        at += 28.0 + 7.0 * s.label.chars().count() as f64;
    }
    out.push_str("</g>");
}

/// A marker for a point of series `i`: circles, squares, then diamonds, so that series differ by
/// shape as well as colour.
fn marker(out: &mut String, i: usize, (x, y): (f64, f64), text: &str) {
    let (x, y) = (number(x), number(y));
    match i % 3 {
        0 => {
            let _ = write!(
                out,
                "<circle class=\"point series-{i}\" cx=\"{x}\" cy=\"{y}\" r=\"4\"><title>{text}</title></circle>"
            );
        }
        1 => {
            let _ = write!(
                out,
                "<rect class=\"point series-{i}\" x=\"{x}\" y=\"{y}\" width=\"8\" height=\"8\" \
                 transform=\"translate(-4 -4)\"><title>{text}</title></rect>"
            );
        }
        _ => {
            let _ = write!(
                out,
                "<rect class=\"point series-{i}\" x=\"{x}\" y=\"{y}\" width=\"8\" height=\"8\" \
                 transform=\"rotate(45 {x} {y}) translate(-4 -4)\"><title>{text}</title></rect>"
            );
        }
    }
}

/// A rectangle in a chart's units: where a piece of text is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Rect {
    /// Whether the two overlap, or come closer than `gap` to each other.
    pub fn near(&self, other: &Rect, gap: f64) -> bool {
        self.left < other.right + gap
            && other.left < self.right + gap
            && self.top < other.bottom + gap
            && other.top < self.bottom + gap
    }

    /// Whether any of it lies closer than `radius` to `(0, 0)`.
    fn reaches_into_circle(&self, radius: f64) -> bool {
        let x = 0.0_f64.clamp(self.left, self.right);
        let y = 0.0_f64.clamp(self.top, self.bottom);
        x * x + y * y < radius * radius
    }

    fn moved(&self, dx: f64, dy: f64) -> Rect {
        Rect {
            left: self.left + dx,
            top: self.top + dy,
            right: self.right + dx,
            bottom: self.bottom + dy,
        }
    }
}

/// The radius of a radar's outer ring.
const RADAR_RADIUS: f64 = 120.0;
/// About how wide a character of an axis name is (12px text, erring wide), and a line's height.
const AXIS_CHAR: f64 = 7.0;
const AXIS_LINE: f64 = 14.0;
/// The longest line of an axis name, in characters, and the most lines it may take.
const AXIS_WRAP: usize = 18;
const AXIS_LINES: usize = 4;
/// The words under the name of an axis that does not apply.
const NOT_APPLICABLE: &str = "Not applicable";

/// The name of one radar axis, laid out around a centre at `(0, 0)`.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisLabel {
    pub lines: Vec<String>,
    pub not_applicable: bool,
    /// `start`, `middle` or `end`, from the axis' direction: names on the right grow rightwards,
    /// on the left leftwards, at the top and bottom both ways.
    pub anchor: &'static str,
    /// The box its lines fill.
    pub area: Rect,
}

impl AxisLabel {
    /// Where its lines are anchored horizontally.
    fn x(&self) -> f64 {
        match self.anchor {
            "start" => self.area.left,
            "end" => self.area.right,
            _ => (self.area.left + self.area.right) / 2.0,
        }
    }
}

/// Places the radar's axis names around a centre at `(0, 0)` so that none overlaps another or the
/// plot: each name is wrapped onto lines, anchored by the direction of its axis, set just outside
/// the outer ring, and pushed further out along its axis while it would touch a name placed before
/// it. A name whose axis does not apply gets a line saying so.
pub fn radar_labels(labels: &[String], not_applicable: &[bool]) -> Vec<AxisLabel> {
    const GAP: f64 = 4.0;
    let n = labels.len();
    let mut placed: Vec<AxisLabel> = Vec::with_capacity(n);
    for (i, label) in labels.iter().enumerate() {
        let na = not_applicable.get(i).copied().unwrap_or(false);
        let mut lines = wrap(label, AXIS_WRAP, AXIS_LINES);
        if lines.is_empty() {
            lines.push(String::new());
        }
        if na {
            lines.push(NOT_APPLICABLE.to_owned());
        }
        let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let (width, height) = (AXIS_CHAR * longest as f64, AXIS_LINE * lines.len() as f64);
        let (cos, sin) = {
            let (x, y) = polar((0.0, 0.0), 1.0, i, n, 1.0);
            (x, y)
        };
        let anchor = if cos > 0.2 {
            "start"
        } else if cos < -0.2 {
            "end"
        } else {
            "middle"
        };
        // The box hangs off its point on the axis: to the right of it on the right, above it at
        // the top, and in between for the directions between.
        let at = |r: f64| {
            let (x, y) = (r * cos, r * sin);
            let left = x - width * (1.0 - cos) / 2.0;
            let top = y - height * (1.0 - sin) / 2.0;
            Rect {
                left,
                top,
                right: left + width,
                bottom: top + height,
            }
        };
        let mut r = RADAR_RADIUS + 10.0;
        let mut area = at(r);
        for _ in 0..400 {
            let clear = !area.reaches_into_circle(RADAR_RADIUS + 6.0)
                && placed.iter().all(|p| !p.area.near(&area, GAP));
            if clear {
                break;
            }
            r += 3.0;
            area = at(r);
        }
        placed.push(AxisLabel {
            lines,
            not_applicable: na,
            anchor,
            area,
        });
    }
    placed
}

/// The parts of a series' outline between axes that have a value, in order around the chart: the
/// whole ring when every axis has one, else each run of neighbouring axes with values (a run
/// never bridges an axis without a value, so a missing value never reads as a low one).
fn runs(present: &[Option<(f64, f64)>]) -> Vec<Vec<(f64, f64)>> {
    let n = present.len();
    let Some(gap) = present.iter().position(Option::is_none) else {
        return vec![present.iter().flatten().copied().collect()];
    };
    let mut out = Vec::new();
    let mut run = Vec::new();
    for k in 1..=n {
        match present[(gap + k) % n] {
            Some(p) => run.push(p),
            None => {
                if !run.is_empty() {
                    out.push(std::mem::take(&mut run));
                }
            }
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// A radar (spider) chart: one axis per label, one outline per series. Every label keeps its axis;
/// an axis whose label `not_applicable` marks is dashed and named so, and has no point. A series'
/// outline never crosses an axis without a value: it is drawn as the runs between such axes, each
/// filled from the centre, so that a gap shows as a gap and not as a low value.
pub fn radar(spec: &ChartSpec<'_>, not_applicable: &[bool]) -> Svg {
    const MARGIN: f64 = 8.0;
    const LEGEND: f64 = 32.0;
    let n = spec.labels.len();
    let na = |i: usize| not_applicable.get(i).copied().unwrap_or(false);
    let names = radar_labels(spec.labels, not_applicable);
    // The chart's size: the plot and every name, with the legend above.
    let reach = RADAR_RADIUS + 4.0;
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (-reach, -reach, reach, reach);
    for l in &names {
        min_x = min_x.min(l.area.left);
        min_y = min_y.min(l.area.top);
        max_x = max_x.max(l.area.right);
        max_y = max_y.max(l.area.bottom);
    }
    let legend_width = 8.0
        + spec
            .series
            .iter()
            .map(|s| 28.0 + 7.0 * s.label.chars().count() as f64)
            .sum::<f64>();
    let width = (max_x - min_x + 2.0 * MARGIN).max(legend_width);
    let height = LEGEND + max_y - min_y + 2.0 * MARGIN;
    // Centred across the chart, below the legend.
    let center = (width / 2.0 - (max_x + min_x) / 2.0, LEGEND + MARGIN - min_y);
    let mut out = String::new();
    open(&mut out, spec, "radar", width, height);
    legend(&mut out, spec.series, 8.0, 20.0);
    // The grid: one ring per tick, and the axes.
    out.push_str("<g class=\"grid-lines\" aria-hidden=\"true\">");
    for tick in &spec.scale.ticks {
        let f = spec.scale.fraction(tick.value);
        if f <= 0.0 {
            continue;
        }
        let ring: Vec<(f64, f64)> = (0..n)
            .map(|i| polar(center, RADAR_RADIUS, i, n, f))
            .collect();
        let _ = write!(
            out,
            "<polygon class=\"grid\" points=\"{}\"/>",
            points(&ring)
        );
        // Just inside the ring, where no axis name reaches.
        let (x, y) = polar(center, RADAR_RADIUS, 0, n, f);
        let _ = write!(
            out,
            "<text class=\"tick-label\" x=\"{}\" y=\"{}\">{}</text>",
            number(x + 4.0),
            number(y + 11.0),
            escape(&tick.label)
        );
    }
    for i in 0..n {
        let (x, y) = polar(center, RADAR_RADIUS, i, n, 1.0);
        let _ = write!(
            out,
            "<line class=\"axis{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            if na(i) { " not-applicable" } else { "" },
            number(center.0),
            number(center.1),
            number(x),
            number(y)
        );
    }
    out.push_str("</g>");
    // The axes' names, outside the outer ring.
    out.push_str("<g class=\"axis-labels\">");
    for l in &names {
        let area = l.area.moved(center.0, center.1);
        let _ = write!(
            out,
            "<text class=\"axis-label{}\" x=\"{x}\" y=\"{}\" text-anchor=\"{}\">",
            if l.not_applicable {
                " not-applicable"
            } else {
                ""
            },
            // The first baseline, about a line's ascent below the top of the box.
            number(area.top + AXIS_LINE - 3.0),
            l.anchor,
            x = number(l.x() + center.0),
        );
        let last = l.lines.len() - 1;
        for (j, line) in l.lines.iter().enumerate() {
            let _ = write!(
                out,
                "<tspan{} x=\"{}\" dy=\"{}\">{}</tspan>",
                if l.not_applicable && j == last {
                    " class=\"na-note\""
                } else {
                    ""
                },
                number(l.x() + center.0),
                if j == 0 { 0.0 } else { AXIS_LINE },
                escape(line)
            );
        }
        out.push_str("</text>");
    }
    out.push_str("</g>");
    // The series, drawn in order so that the first stays visible under the others' outlines.
    for (s_i, s) in spec.series.iter().enumerate() {
        let value = |i: usize| s.values.get(i).copied().flatten().filter(|_| !na(i));
        let present: Vec<Option<(f64, f64)>> = (0..n)
            .map(|i| value(i).map(|v| polar(center, RADAR_RADIUS, i, n, spec.scale.fraction(v))))
            .collect();
        let _ = write!(out, "<g class=\"series series-{s_i}\">");
        if present.iter().all(Option::is_some) {
            if n >= 2 {
                let ring: Vec<(f64, f64)> = present.iter().flatten().copied().collect();
                let _ = write!(
                    out,
                    "<polygon class=\"area series-{s_i}\" points=\"{}\"/>",
                    points(&ring)
                );
            }
        } else {
            for run in runs(&present).iter().filter(|r| r.len() >= 2) {
                let mut wedge = vec![center];
                wedge.extend(run.iter().copied());
                let _ = write!(
                    out,
                    "<polygon class=\"area partial series-{s_i}\" points=\"{}\"/>\
                     <polyline class=\"trend series-{s_i}\" points=\"{}\"/>",
                    points(&wedge),
                    points(run)
                );
            }
        }
        for (i, at) in present.iter().enumerate() {
            let (Some(at), Some(v)) = (at, value(i)) else {
                continue;
            };
            let text = format!(
                "{}: {}, {}",
                escape(&s.label),
                escape(&spec.labels[i]),
                escape(&spec.scale.label_for(v))
            );
            marker(&mut out, s_i, *at, &text);
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    Svg(out)
}

/// Horizontal bars grouped by label: for each label its name, then one bar per series with the
/// value's word at its end. Reads well on a phone, whatever the length of the names.
pub fn bars(spec: &ChartSpec<'_>) -> Svg {
    bars_marked(spec, &[])
}

/// [`bars`], where the labels marked in `not_applicable` say so instead of having no value: a
/// competency that does not apply is not a low or missing rating.
fn bars_marked(spec: &ChartSpec<'_>, not_applicable: &[bool]) -> Svg {
    const WIDTH: f64 = 480.0;
    const BAR: f64 = 14.0;
    const GAP: f64 = 4.0;
    const LABEL: f64 = 20.0;
    const TOP: f64 = 36.0;
    let left = 8.0;
    let right = WIDTH - 120.0;
    let span = right - left;
    let group = LABEL + (BAR + GAP) * spec.series.len() as f64 + 10.0;
    let plot_bottom = TOP + group * spec.labels.len() as f64;
    let height = plot_bottom + 24.0;
    let mut out = String::new();
    open(&mut out, spec, "bars", WIDTH, height);
    legend(&mut out, spec.series, 8.0, 20.0);
    out.push_str("<g class=\"grid-lines\" aria-hidden=\"true\">");
    for tick in &spec.scale.ticks {
        let x = left + span * spec.scale.fraction(tick.value);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{bottom}\"/>\
             <text class=\"tick-label\" x=\"{x}\" y=\"{label_y}\" text-anchor=\"middle\">{}</text>",
            escape(&tick.label),
            x = number(x),
            top = number(TOP),
            bottom = number(plot_bottom),
            label_y = number(plot_bottom + 16.0),
        );
    }
    out.push_str("</g>");
    for (l_i, label) in spec.labels.iter().enumerate() {
        let y0 = TOP + group * l_i as f64;
        let _ = write!(
            out,
            "<text class=\"category\" x=\"{}\" y=\"{}\">{}</text>",
            number(left),
            number(y0 + 14.0),
            escape(label)
        );
        for (s_i, s) in spec.series.iter().enumerate() {
            let y = y0 + LABEL + (BAR + GAP) * s_i as f64;
            let value = s.values.get(l_i).copied().flatten();
            let (w, word) = match value {
                Some(v) => (span * spec.scale.fraction(v), spec.scale.label_for(v)),
                None if not_applicable.get(l_i).copied().unwrap_or(false) => {
                    (0.0, "Not applicable".to_owned())
                }
                None => (0.0, "no value".to_owned()),
            };
            let _ = write!(
                out,
                "<rect class=\"bar series-{s_i}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{BAR}\">\
                 <title>{}: {}, {}</title></rect>\
                 <text class=\"value\" x=\"{}\" y=\"{}\">{}</text>",
                number(left),
                number(y),
                number(w),
                escape(&s.label),
                escape(label),
                escape(&word),
                number(left + w + 6.0),
                number(y + BAR - 3.0),
                escape(&word),
            );
        }
    }
    out.push_str("</svg>");
    Svg(out)
}

/// About how wide a character of the legend's text is, in the chart's units.
const CHAR_WIDTH: f64 = 6.6;
/// The height of a line of the legend's text.
const LEGEND_LINE: f64 = 16.0;

/// The legend of a line chart: every series with a sample of its line and marker and its whole
/// name, placed side by side from `left` to `right` and wrapping onto as many rows as needed (a
/// name too long for a row wraps onto several lines). Returns the height it takes from `top`.
fn line_legend(out: &mut String, series: &[Series], left: f64, right: f64, top: f64) -> f64 {
    const SAMPLE: f64 = 30.0;
    const GAP: f64 = 18.0;
    out.push_str("<g class=\"legend\" aria-hidden=\"true\">");
    let (mut x, mut row_top, mut row_lines) = (left, top, 1usize);
    let most_chars = (((right - left - SAMPLE) / CHAR_WIDTH).floor() as usize).max(8);
    for (i, s) in series.iter().enumerate() {
        let lines = wrap(&s.label, most_chars, usize::MAX);
        let lines = if lines.is_empty() {
            vec![String::new()]
        } else {
            lines
        };
        let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let width = SAMPLE + CHAR_WIDTH * longest as f64;
        if x > left && x + width > right {
            row_top += LEGEND_LINE * row_lines as f64 + 6.0;
            x = left;
            row_lines = 1;
        }
        row_lines = row_lines.max(lines.len());
        let mid = row_top + LEGEND_LINE / 2.0;
        let _ = write!(
            out,
            "<g class=\"legend-item\"><line class=\"trend series-{i}\" x1=\"{}\" y1=\"{m}\" x2=\"{}\" y2=\"{m}\"/>",
            number(x),
            number(x + SAMPLE - 6.0),
            m = number(mid),
        );
        line_marker(out, i, (x + (SAMPLE - 6.0) / 2.0, mid), &escape(&s.label));
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\">",
            number(x + SAMPLE),
            number(mid + 4.0)
        );
        for (n, l) in lines.iter().enumerate() {
            let _ = write!(
                out,
                "<tspan x=\"{}\" dy=\"{}\">{}</tspan>",
                number(x + SAMPLE),
                if n == 0 { 0.0 } else { LEGEND_LINE },
                escape(l)
            );
        }
        out.push_str("</text></g>");
        x += width + GAP;
    }
    out.push_str("</g>");
    row_top + LEGEND_LINE * row_lines as f64 - top
}

/// A marker for a point of a line chart's series `i`: six shapes (circle, square, diamond,
/// triangle, triangle pointing down, cross), so that six series differ by shape as well as colour.
fn line_marker(out: &mut String, i: usize, (x, y): (f64, f64), text: &str) {
    let polygon = |out: &mut String, corners: &[(f64, f64)]| {
        let list: Vec<(f64, f64)> = corners.iter().map(|(dx, dy)| (x + dx, y + dy)).collect();
        let _ = write!(
            out,
            "<polygon class=\"point series-{i}\" points=\"{}\"><title>{text}</title></polygon>",
            points(&list)
        );
    };
    match i % 6 {
        0 => {
            let _ = write!(
                out,
                "<circle class=\"point series-{i}\" cx=\"{}\" cy=\"{}\" r=\"4.5\"><title>{text}</title></circle>",
                number(x),
                number(y)
            );
        }
        1 => polygon(out, &[(-4.0, -4.0), (4.0, -4.0), (4.0, 4.0), (-4.0, 4.0)]),
        2 => polygon(out, &[(0.0, -5.5), (5.5, 0.0), (0.0, 5.5), (-5.5, 0.0)]),
        3 => polygon(out, &[(0.0, -5.5), (5.0, 4.0), (-5.0, 4.0)]),
        4 => polygon(out, &[(-5.0, -4.0), (5.0, -4.0), (0.0, 5.5)]),
        _ => polygon(
            out,
            &[
                (-1.8, -5.0),
                (1.8, -5.0),
                (1.8, -1.8),
                (5.0, -1.8),
                (5.0, 1.8),
                (1.8, 1.8),
                (1.8, 5.0),
                (-1.8, 5.0),
                (-1.8, 1.8),
                (-5.0, 1.8),
                (-5.0, -1.8),
                (-1.8, -1.8),
            ],
        ),
    }
}

/// Lines over time: the labels are the points in time, evenly spaced; each series is a line,
/// broken where a value is missing, with a marker on every value.
pub fn line(spec: &ChartSpec<'_>) -> Svg {
    const WIDTH: f64 = 560.0;
    const PLOT: f64 = 216.0;
    let mut legend_out = String::new();
    let legend_height = line_legend(&mut legend_out, spec.series, 8.0, WIDTH - 8.0, 8.0);
    let top = legend_height + 24.0;
    let height = top + PLOT + 44.0;
    let (left, right, bottom) = (48.0, WIDTH - 16.0, top + PLOT);
    let n = spec.labels.len();
    let x_of = |i: usize| {
        if n <= 1 {
            (left + right) / 2.0
        } else {
            left + (right - left) * i as f64 / (n - 1) as f64
        }
    };
    let y_of = |v: f64| bottom - (bottom - top) * spec.scale.fraction(v);
    let mut out = String::new();
    open(&mut out, spec, "line", WIDTH, height);
    out.push_str(&legend_out);
    out.push_str("<g class=\"grid-lines\" aria-hidden=\"true\">");
    for tick in &spec.scale.ticks {
        let y = y_of(tick.value);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\"/>\
             <text class=\"tick-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            number(left),
            number(right),
            number(left - 6.0),
            number(y_of(tick.value) + 4.0),
            escape(&tick.label),
            y = number(y),
        );
    }
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\"/>",
        l = number(left),
        r = number(right),
        b = number(bottom)
    );
    // At most about ten labels along the time axis.
    let every = n.div_ceil(10).max(1);
    for (i, label) in spec.labels.iter().enumerate() {
        if i % every != 0 && i + 1 != n {
            continue;
        }
        let _ = write!(
            out,
            "<text class=\"tick-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            number(x_of(i)),
            number(bottom + 18.0),
            escape(label)
        );
    }
    out.push_str("</g>");
    for (s_i, s) in spec.series.iter().enumerate() {
        let _ = write!(out, "<g class=\"series series-{s_i}\">");
        // Consecutive values make a line; a missing value breaks it.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
        for (i, v) in s.values.iter().take(n).enumerate() {
            match v {
                Some(v) => run.push((x_of(i), y_of(*v))),
                None => runs.push(std::mem::take(&mut run)),
            }
        }
        runs.push(run);
        for r in runs.iter().filter(|r| r.len() >= 2) {
            let _ = write!(
                out,
                "<polyline class=\"trend series-{s_i}\" points=\"{}\"/>",
                points(r)
            );
        }
        for (i, v) in s.values.iter().take(n).enumerate() {
            if let Some(v) = v {
                let text = format!(
                    "{}: {}, {}",
                    escape(&s.label),
                    escape(&spec.labels[i]),
                    escape(&spec.scale.label_for(*v))
                );
                line_marker(&mut out, s_i, (x_of(i), y_of(*v)), &text);
            }
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    Svg(out)
}

/// A profile of values over a few named axes: a radar from three axes, bars below that (a radar
/// of one or two axes is a point or a line). `not_applicable` marks the axes that do not apply.
pub fn profile(spec: &ChartSpec<'_>, not_applicable: &[bool]) -> Svg {
    if spec.labels.len() >= 3 {
        radar(spec, not_applicable)
    } else {
        bars_marked(spec, not_applicable)
    }
}

/// The colour step of a heat map cell, `0` (the scale's minimum) to `steps` (its maximum), as the
/// class `heat-N`; `heat-none` when there is no value. `static/app.css` colours `heat-0` to
/// `heat-4`.
pub fn heat_class(value: Option<f64>, scale: &Scale, steps: usize) -> String {
    match value {
        None => "heat-none".to_owned(),
        Some(v) => format!(
            "heat-{}",
            (scale.fraction(v) * steps as f64).round() as usize
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratings() -> Scale {
        Scale::named(
            0.0,
            4.0,
            &[
                (1.0, "Below"),
                (2.0, "Working towards"),
                (3.0, "Meets"),
                (4.0, "Exceeds"),
            ],
        )
    }

    fn labels(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn axes_start_at_the_top_and_go_clockwise() {
        let c = (100.0, 100.0);
        let (x, y) = polar(c, 50.0, 0, 4, 1.0);
        assert!((x - 100.0).abs() < 1e-9 && (y - 50.0).abs() < 1e-9);
        let (x, y) = polar(c, 50.0, 1, 4, 1.0);
        assert!((x - 150.0).abs() < 1e-9 && (y - 100.0).abs() < 1e-9);
        let (x, y) = polar(c, 50.0, 2, 4, 0.5);
        assert!((x - 100.0).abs() < 1e-9 && (y - 125.0).abs() < 1e-9);
    }

    #[test]
    fn values_are_kept_inside_the_scale() {
        let s = ratings();
        assert_eq!(s.fraction(2.0), 0.5);
        assert_eq!(s.fraction(9.0), 1.0);
        assert_eq!(s.fraction(-1.0), 0.0);
        assert_eq!(s.label_for(3.0), "Meets");
        assert_eq!(s.label_for(2.5), "2.5");
        assert_eq!(Scale::linear(0.0, 1.0, 0.0).fraction(0.5), 0.5);
    }

    #[test]
    fn a_fitting_scale_rounds_up_to_a_readable_number() {
        let s = Scale::fitting(&[Series::new("a", vec![Some(37.0), None, Some(12.0)])]);
        assert_eq!(s.max, 40.0);
        let labels: Vec<&str> = s.ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "10", "20", "30", "40"]);
        let empty = Scale::fitting(&[]);
        assert!(empty.max > empty.min);
        assert_eq!(nice_step(0.3), 0.5);
        assert_eq!(nice_step(7.0), 10.0);
    }

    fn radar_of(names: &[String], series: &[Series], not_applicable: &[bool]) -> String {
        radar(
            &ChartSpec {
                id: "latest",
                title: "Ratings of the latest check-in",
                description: "Self and manager, per competency",
                labels: names,
                series,
                scale: &ratings(),
            },
            not_applicable,
        )
        .to_string()
    }

    /// The numbers of an attribute, in the order they appear.
    fn attributes(svg: &str, name: &str) -> Vec<f64> {
        svg.split(&format!(" {name}=\""))
            .skip(1)
            .map(|t| t[..t.find('"').expect("closed")].parse().expect("a number"))
            .collect()
    }

    #[test]
    fn a_radar_has_a_ring_per_tick_a_polygon_per_series_and_an_accessible_name() {
        let names = labels(&[
            "Ownership",
            "Problem solving",
            "Technical quality",
            "Teamwork",
        ]);
        let series = [
            Series::new("Self", vec![Some(3.0), Some(2.0), Some(4.0), Some(3.0)]),
            Series::new("Manager", vec![Some(3.0), Some(3.0), None, Some(2.0)]),
        ];
        let s = radar_of(&names, &series, &[]);
        let s = s.as_str();
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(s.contains("role=\"img\""));
        assert!(s.contains("aria-labelledby=\"latest-title latest-desc\""));
        assert!(s.contains("<title id=\"latest-title\">Ratings of the latest check-in</title>"));
        assert!(!s.contains("style="), "no inline styles: {s}");
        assert_eq!(s.matches("class=\"grid\"").count(), 4, "one ring per tick");
        assert_eq!(s.matches("class=\"axis\"").count(), 4, "one axis per label");
        // Self rated everything: a closed outline.
        assert_eq!(s.matches("class=\"area series-0\"").count(), 1);
        // The manager left one competency unrated: the outline stops on either side of it
        // instead of cutting across it, as one run of three axes filled from the centre.
        assert_eq!(s.matches("class=\"area series-1\"").count(), 0);
        assert_eq!(s.matches("class=\"area partial series-1\"").count(), 1);
        assert_eq!(s.matches("class=\"trend series-1\"").count(), 1);
        assert_eq!(s.matches("class=\"point series-1\"").count(), 3);
        assert_eq!(s.matches("class=\"point series-0\"").count(), 4);
        assert!(s.contains("Manager: Teamwork, Working towards"));
        // The self outline's first corner: Ownership, straight up from the centre at 3 of 4
        // steps of the radius.
        let axes_x = attributes(s, "x1");
        let axes_y = attributes(s, "y1");
        let (cx, cy) = (axes_x[0], axes_y[0]);
        let corner = format!("points=\"{},{} ", number(cx), number(cy - 90.0));
        assert!(s.contains(&corner), "{corner} in {s}");
    }

    /// The longest names of the demo's tracks and the templates, and longer.
    const LONG_NAMES: [&str; 12] = [
        "Technical quality and craftsmanship",
        "Communication and collaboration across teams",
        "Ownership",
        "Delivery",
        "Strategic thinking and product sense",
        "Mentoring, coaching and growing others",
        "Operational excellence and reliability",
        "Stakeholder management",
        "Hiring and building inclusive teams",
        "Security, privacy and compliance awareness",
        "Data-informed decision making",
        "Influence without authority",
    ];

    #[test]
    fn radar_names_never_overlap_each_other_or_the_plot_from_three_to_twelve_axes() {
        for n in 3..=12 {
            for offset in 0..LONG_NAMES.len() {
                let names: Vec<String> = (0..n)
                    .map(|i| LONG_NAMES[(i + offset) % LONG_NAMES.len()].to_owned())
                    .collect();
                // Every other axis not applicable: the extra line makes the names taller.
                let na: Vec<bool> = (0..n).map(|i| (i + offset) % 3 == 0).collect();
                let placed = radar_labels(&names, &na);
                assert_eq!(placed.len(), n);
                for (i, a) in placed.iter().enumerate() {
                    assert!(
                        !a.area.reaches_into_circle(RADAR_RADIUS + 1.0),
                        "{n} axes: {:?} reaches into the plot",
                        a.lines
                    );
                    let widest = a.lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
                    assert!(a.area.right - a.area.left >= AXIS_CHAR * widest as f64 - 1e-9);
                    assert!(a.lines.iter().all(|l| l.chars().count() <= AXIS_WRAP + 1));
                    for b in &placed[i + 1..] {
                        assert!(
                            !a.area.near(&b.area, 0.0),
                            "{n} axes: {:?} and {:?} overlap",
                            a.lines,
                            b.lines
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn radar_names_are_anchored_by_the_direction_of_their_axis() {
        let names: Vec<String> = LONG_NAMES[..4].iter().map(|s| (*s).to_owned()).collect();
        let placed = radar_labels(&names, &[]);
        let anchors: Vec<&str> = placed.iter().map(|a| a.anchor).collect();
        assert_eq!(anchors, ["middle", "start", "middle", "end"]);
        // Above the plot at the top, below it at the bottom, beside it left and right.
        assert!(placed[0].area.bottom < -RADAR_RADIUS);
        assert!(placed[1].area.left > RADAR_RADIUS);
        assert!(placed[2].area.top > RADAR_RADIUS);
        assert!(placed[3].area.right < -RADAR_RADIUS);
        // Long names wrap onto lines instead of running across the chart.
        assert_eq!(
            placed[1].lines,
            ["Communication and", "collaboration", "across teams"]
        );
    }

    #[test]
    fn the_radar_fits_every_name_inside_its_view_box() {
        for n in [3, 5, 8, 12] {
            let names: Vec<String> = LONG_NAMES[..n].iter().map(|s| (*s).to_owned()).collect();
            let series = [Series::new("Self", vec![Some(2.0); n])];
            let s = radar_of(&names, &series, &[]);
            let view = &s[s.find("viewBox=\"0 0 ").expect("a view box") + 13..];
            let view: Vec<f64> = view[..view.find('"').expect("closed")]
                .split(' ')
                .map(|v| v.parse().expect("a number"))
                .collect();
            let (width, height) = (view[0], view[1]);
            let names_part = &s[s.find("class=\"axis-labels\"").expect("names")..];
            let names_part = &names_part[..names_part.find("</g>").expect("closed")];
            for label in names_part.split("<text ").skip(1) {
                let anchor_x = attributes(label, "x")[0];
                let y = attributes(label, "y")[0];
                let lines: Vec<&str> = label
                    .split("<tspan")
                    .skip(1)
                    .map(|t| {
                        &t[t.find('>').expect("open") + 1..t.find("</tspan>").expect("closed")]
                    })
                    .collect();
                let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
                let w = AXIS_CHAR * widest;
                let (left, right) = if label.contains("text-anchor=\"start\"") {
                    (anchor_x, anchor_x + w)
                } else if label.contains("text-anchor=\"end\"") {
                    (anchor_x - w, anchor_x)
                } else {
                    (anchor_x - w / 2.0, anchor_x + w / 2.0)
                };
                let bottom = y + AXIS_LINE * (lines.len() as f64 - 1.0) + 4.0;
                assert!(
                    left >= -0.1 && right <= width + 0.1,
                    "{n}: {lines:?} in {width}"
                );
                assert!(
                    y - 11.0 >= 30.0 && bottom <= height + 0.1,
                    "{n}: {lines:?} in {height}"
                );
            }
        }
    }

    #[test]
    fn a_radar_keeps_a_not_applicable_axis_dashed_named_and_without_a_point() {
        let names = labels(&["Ownership", "Delivery", "People management", "Teamwork"]);
        let series = [
            Series::new("Self", vec![Some(3.0), Some(2.0), None, Some(3.0)]),
            // A value on an axis that does not apply is not drawn either.
            Series::new("Manager", vec![Some(3.0), Some(3.0), Some(1.0), Some(2.0)]),
        ];
        let s = radar_of(&names, &series, &[false, false, true, false]);
        assert_eq!(
            s.matches("<line class=\"axis").count(),
            4,
            "every axis is kept"
        );
        assert_eq!(s.matches("class=\"axis not-applicable\"").count(), 1);
        let label = &s[s
            .find("class=\"axis-label not-applicable\"")
            .expect("marked")..];
        let label = &label[..label.find("</text>").expect("closed")];
        assert!(label.contains(">People management</tspan>"), "{label}");
        assert!(label.contains("class=\"na-note\""), "{label}");
        assert!(label.contains(">Not applicable</tspan>"), "{label}");
        assert!(!s.contains("People management, "), "no point on it: {s}");
        assert_eq!(s.matches("class=\"point series-0\"").count(), 3);
        assert_eq!(s.matches("class=\"point series-1\"").count(), 3);
        // Neither outline cuts across it: each is one run from Teamwork round to Delivery.
        assert_eq!(s.matches("class=\"area series-").count(), 0);
        assert_eq!(s.matches("class=\"area partial series-").count(), 2);
    }

    #[test]
    fn an_outline_is_split_into_runs_at_every_missing_value() {
        let p = |x: f64| Some((x, 0.0));
        assert_eq!(runs(&[p(1.0), p(2.0), p(3.0)]).len(), 1);
        let split = runs(&[p(1.0), None, p(3.0), p(4.0), None, p(6.0)]);
        assert_eq!(
            split,
            vec![vec![(3.0, 0.0), (4.0, 0.0)], vec![(6.0, 0.0), (1.0, 0.0)],]
        );
        assert!(runs(&[None, None, None]).is_empty());
    }

    #[test]
    fn every_text_in_a_chart_is_escaped() {
        let names = labels(&["<script>alert(1)</script>", "A & B", "\"quoted\""]);
        let series = [Series::new(
            "<b>me</b>",
            vec![Some(1.0), Some(2.0), Some(3.0)],
        )];
        let scale = ratings();
        for svg in [
            radar(
                &ChartSpec {
                    id: "x\"><script>",
                    title: "<i>t</i>",
                    description: "d & e",
                    labels: &names,
                    series: &series,
                    scale: &scale,
                },
                &[],
            ),
            bars(&ChartSpec {
                id: "x",
                title: "t",
                description: "d",
                labels: &names,
                series: &series,
                scale: &scale,
            }),
            line(&ChartSpec {
                id: "x",
                title: "t",
                description: "d",
                labels: &names,
                series: &series,
                scale: &scale,
            }),
        ] {
            let s = svg.to_string();
            let s = s.as_str();
            assert!(!s.contains("<script>"), "{s}");
            assert!(!s.contains("<b>") && !s.contains("<i>"), "{s}");
            assert!(s.contains("&lt;script&gt;"));
            assert!(s.contains("A &amp; B"));
        }
    }

    #[test]
    fn bars_have_one_bar_per_value_with_its_word() {
        let names = labels(&["Ownership", "Communication"]);
        let series = [
            Series::new("Self", vec![Some(4.0), Some(2.0)]),
            Series::new("Manager", vec![Some(3.0), None]),
        ];
        let scale = ratings();
        let spec = ChartSpec {
            id: "few",
            title: "t",
            description: "d",
            labels: &names,
            series: &series,
            scale: &scale,
        };
        let svg = profile(&spec, &[]);
        let s = svg.to_string();
        let s = s.as_str();
        assert!(s.contains("chart-bars"), "fewer than three axes: bars");
        assert_eq!(s.matches("class=\"bar series-").count(), 4);
        assert!(s.contains(">Exceeds</text>") && s.contains(">no value</text>"));
        // A full bar spans the plot: 480 - 120 - 8 = 352 wide.
        assert!(s.contains("width=\"352\""), "{s}");
        assert!(!s.contains("style="));
    }

    #[test]
    fn a_bar_of_a_competency_that_does_not_apply_says_so() {
        let names = labels(&["Ownership", "Mentoring"]);
        let series = [
            Series::new("Self", vec![Some(3.0), None]),
            Series::new("Manager", vec![Some(3.0), None]),
        ];
        let scale = ratings();
        let spec = ChartSpec {
            id: "na",
            title: "t",
            description: "d",
            labels: &names,
            series: &series,
            scale: &scale,
        };
        let s = profile(&spec, &[false, true]).to_string();
        assert_eq!(s.matches(">Not applicable</text>").count(), 2, "{s}");
        assert!(
            !s.contains("no value"),
            "not applicable is not a missing rating: {s}"
        );
    }

    #[test]
    fn a_line_breaks_where_a_value_is_missing() {
        let months = labels(&["Jan", "Feb", "Mar", "Apr", "May"]);
        let series = [Series::new(
            "Coverage",
            vec![Some(10.0), Some(20.0), None, Some(40.0), Some(50.0)],
        )];
        let scale = Scale::fitting(&series);
        let svg = line(&ChartSpec {
            id: "kpi",
            title: "Coverage",
            description: "Share of people with a position, by month",
            labels: &months,
            series: &series,
            scale: &scale,
        });
        let s = svg.to_string();
        let s = s.as_str();
        assert_eq!(s.matches("<polyline").count(), 2);
        // Four values, and the marker of the legend.
        assert_eq!(s.matches("class=\"point series-0\"").count(), 5);
        // The first point sits on the left edge at 10 of 50: y = 256 - 216 * 0.2.
        assert!(s.contains("cx=\"48\" cy=\"212.8\""), "{s}");
        assert!(s.contains(">Mar</text>"));
    }

    #[test]
    fn long_labels_wrap_on_two_lines_at_most() {
        assert_eq!(
            wrap("Technical quality and craft", 16, 2),
            ["Technical", "quality and…"]
        );
        assert_eq!(wrap("Ownership", 16, 2), ["Ownership"]);
    }

    #[test]
    fn heat_classes_step_along_the_scale() {
        let s = ratings();
        assert_eq!(heat_class(Some(1.0), &s, 4), "heat-1");
        assert_eq!(heat_class(Some(4.0), &s, 4), "heat-4");
        assert_eq!(heat_class(None, &s, 4), "heat-none");
        let pct = Scale::linear(0.0, 100.0, 25.0);
        assert_eq!(heat_class(Some(60.0), &pct, 4), "heat-2");
    }

    #[test]
    fn a_line_legend_shows_every_series_whole_wrapping_onto_rows_inside_the_chart() {
        let names = [
            "Mean of all statements",
            "I know which career track I am on and what my level expects of me",
            "My manager and I talk about my growth at least once a quarter",
            "I can see what I need to do to reach the next level",
            "Promotions here are fair and follow the tracks",
            "The career tracks help me plan what to learn next",
        ];
        let series: Vec<Series> = names
            .iter()
            .enumerate()
            .map(|(i, n)| Series::new(*n, vec![Some(1.0 + i as f64 * 0.5), Some(3.0)]))
            .collect();
        let labels = labels(&["2026-01-31", "2026-04-30"]);
        let scale = Scale::linear(1.0, 5.0, 1.0);
        let svg = line(&ChartSpec {
            id: "pulse",
            title: "Pulse",
            description: "Six series",
            labels: &labels,
            series: &series,
            scale: &scale,
        })
        .to_string();
        let legend = &svg[svg.find("class=\"legend\"").expect("in the chart")
            ..svg.find("grid-lines").expect("in the chart")];
        assert_eq!(legend.matches("class=\"legend-item\"").count(), 6);
        for (i, name) in names.iter().enumerate() {
            // The whole name, in one or more lines, and a sample of the line and its marker.
            let item = legend
                .split("class=\"legend-item\"")
                .nth(i + 1)
                .expect("in the chart");
            let text: Vec<&str> = item
                .split("<tspan")
                .skip(1)
                .map(|t| {
                    &t[t.find('>').expect("in the chart") + 1
                        ..t.find("</tspan>").expect("in the chart")]
                })
                .collect();
            assert_eq!(text.join(" "), *name);
            assert!(item.contains(&format!("trend series-{i}")));
            assert!(item.contains(&format!("point series-{i}")));
        }
        // Every text starts inside the chart and no line runs past its right edge.
        for t in legend.split("<tspan x=\"").skip(1) {
            let x: f64 = t[..t.find('"').expect("in the chart")]
                .parse()
                .expect("in the chart");
            let chars = t
                [t.find('>').expect("in the chart") + 1..t.find("</tspan>").expect("in the chart")]
                .chars()
                .count();
            assert!(x + CHAR_WIDTH * chars as f64 <= 552.0, "{t}");
        }
        // The rows push the plot down: the chart is taller than with one series.
        let one = line(&ChartSpec {
            id: "pulse",
            title: "Pulse",
            description: "One series",
            labels: &labels,
            series: &series[..1],
            scale: &scale,
        })
        .to_string();
        let height = |svg: &str| -> f64 {
            let v = &svg[svg.find("viewBox=\"0 0 560 ").expect("in the chart") + 17..];
            v[..v.find('"').expect("in the chart")]
                .parse()
                .expect("in the chart")
        };
        assert!(height(&svg) > height(&one) + 3.0 * LEGEND_LINE);
        // Six different marker shapes.
        let shapes: std::collections::BTreeSet<String> = (0..6)
            .map(|i| {
                let mut out = String::new();
                line_marker(&mut out, i, (0.0, 0.0), "");
                out.replace(&format!("series-{i}"), "")
            })
            .collect();
        assert_eq!(shapes.len(), 6);
    }
}
