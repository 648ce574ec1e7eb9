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

mod line;
mod radar;
#[cfg(test)]
mod tests;

pub use line::line;
pub use radar::radar;

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
