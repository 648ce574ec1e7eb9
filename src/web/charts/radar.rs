//! The radar: a check-in's profile, one axis per competency.

use std::fmt::Write as _;

use super::*;

/// The radius of a radar's outer ring.
pub(super) const RADAR_RADIUS: f64 = 120.0;
/// About how wide a character of an axis name is (12px text, erring wide), and a line's height.
pub(super) const AXIS_CHAR: f64 = 7.0;
pub(super) const AXIS_LINE: f64 = 14.0;
/// The longest line of an axis name, in characters, and the most lines it may take.
pub(super) const AXIS_WRAP: usize = 18;
pub(super) const AXIS_LINES: usize = 4;
/// The words under the name of an axis that does not apply.
pub(super) const NOT_APPLICABLE: &str = "Not applicable";

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
pub(super) fn runs(present: &[Option<(f64, f64)>]) -> Vec<Vec<(f64, f64)>> {
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
    grid(&mut out, spec, center, not_applicable);
    axis_names(&mut out, &names, center);
    shapes(&mut out, spec, center, not_applicable);
    out.push_str("</svg>");
    Svg(out)
}

/// The grid: one ring per tick, and the axes.
fn grid(out: &mut String, spec: &ChartSpec<'_>, center: (f64, f64), not_applicable: &[bool]) {
    let n = spec.labels.len();
    let na = |i: usize| not_applicable.get(i).copied().unwrap_or(false);
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
}

/// The axes' names, outside the outer ring.
fn axis_names(out: &mut String, names: &[AxisLabel], center: (f64, f64)) {
    out.push_str("<g class=\"axis-labels\">");
    for l in names {
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
}

/// The series, drawn in order so that the first stays visible under the others' outlines.
fn shapes(out: &mut String, spec: &ChartSpec<'_>, center: (f64, f64), not_applicable: &[bool]) {
    let n = spec.labels.len();
    let na = |i: usize| not_applicable.get(i).copied().unwrap_or(false);
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
            marker(out, s_i, *at, &text);
        }
        out.push_str("</g>");
    }
}
