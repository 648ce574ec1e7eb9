//! Lines over time, with a legend that wraps onto rows.

use std::fmt::Write as _;

use super::*;

/// About how wide a character of the legend's text is, in the chart's units.
pub(super) const CHAR_WIDTH: f64 = 6.6;
/// The height of a line of the legend's text.
pub(super) const LEGEND_LINE: f64 = 16.0;

/// The legend of a line chart: every series with a sample of its line and marker and its whole
/// name, placed side by side from `left` to `right` and wrapping onto as many rows as needed (a
/// name too long for a row wraps onto several lines). Returns the height it takes from `top`.
pub(super) fn line_legend(
    out: &mut String,
    series: &[Series],
    left: f64,
    right: f64,
    top: f64,
) -> f64 {
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
pub(super) fn line_marker(out: &mut String, i: usize, (x, y): (f64, f64), text: &str) {
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
        line_series(&mut out, spec, s_i, s, &x_of, &y_of);
    }
    out.push_str("</svg>");
    Svg(out)
}

/// One series of a line chart: its lines, broken where a value is missing, and a marker with its
/// reading on every value.
fn line_series(
    out: &mut String,
    spec: &ChartSpec<'_>,
    s_i: usize,
    s: &Series,
    x_of: &impl Fn(usize) -> f64,
    y_of: &impl Fn(f64) -> f64,
) {
    let n = spec.labels.len();
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
            line_marker(out, s_i, (x_of(i), y_of(*v)), &text);
        }
    }
    out.push_str("</g>");
}
