//! A timeline drawn on the server as inline SVG: one row per group (the roadmap's stages), each
//! entry placed by its day along the months, today marked with a line. An entry is a link; open,
//! done and overdue entries differ by shape and by the words of their name as well as by colour.
//!
//! Like the charts of `charts.rs`, shapes carry classes that `static/app.css` colours (no `style`
//! attribute), and pages show the same entries as a table beside it. Unlike a chart it is not one
//! image: it holds links, so it is a labelled group whose decoration is hidden from screen readers.

use std::fmt::Write as _;

use super::charts::{Svg, escape, number};
use crate::domain::Day;

/// Where an entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Open,
    Done,
    Overdue,
}

impl Mark {
    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Open => "open",
            Mark::Done => "done",
            Mark::Overdue => "overdue",
        }
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            Mark::Open => "To do",
            Mark::Done => "Done",
            Mark::Overdue => "Overdue",
        }
    }
}

/// One dated thing on the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub title: String,
    pub day: Day,
    pub mark: Mark,
    /// Where its link goes.
    pub href: String,
}

/// A row: a name, the days it runs (when both are known) and its entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    pub span: Option<(Day, Day)>,
    pub entries: Vec<Entry>,
}

/// The width of the column of row names.
pub const LEFT: f64 = 150.0;
/// The width of a month, on average (a day is the same width everywhere).
pub const MONTH: f64 = 100.0;
/// The fewest months a timeline shows.
const MIN_MONTHS: usize = 6;
/// The height of the months' header.
const TOP: f64 = 44.0;
/// The height of a lane of entries within a row.
const LANE: f64 = 26.0;
/// About how wide a character of an entry's name is (11px text, erring wide).
const CHAR: f64 = 6.2;
/// The most characters of an entry's name drawn beside it; the whole name is its link's name and
/// in the table.
const LABEL_CHARS: usize = 24;

/// The months a timeline spans: from the first of the month of its earliest day (today included)
/// to the first of the month after its latest.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub start: Day,
    pub end: Day,
    pub months: Vec<Day>,
}

impl Frame {
    pub fn new(rows: &[Row], today: Day) -> Frame {
        let days = rows
            .iter()
            .flat_map(|r| {
                r.entries
                    .iter()
                    .map(|e| e.day)
                    .chain(r.span.into_iter().flat_map(|(a, b)| [a, b]))
            })
            .chain([today]);
        let (first, last) = days.fold((today, today), |(lo, hi), d| (lo.min(d), hi.max(d)));
        let start = first.first_of_month();
        let end = last.next_month();
        let mut months = vec![start];
        // A bound, so that a mistyped year cannot draw centuries of months.
        while months.len() < 240 {
            let next = months[months.len() - 1].next_month();
            if next >= end {
                break;
            }
            months.push(next);
        }
        // At least half a year, so that a few items close together do not fill the width.
        while months.len() < MIN_MONTHS {
            let next = months[months.len() - 1].next_month();
            months.push(next);
        }
        let end = months[months.len() - 1].next_month();
        Frame { start, end, months }
    }

    /// The width of the months.
    pub fn width(&self) -> f64 {
        MONTH * self.months.len() as f64
    }

    /// Where a day falls, in proportion to its distance from the start.
    pub fn x(&self, day: Day) -> f64 {
        let total = self.start.days_until(self.end).max(1) as f64;
        let at = (self.start.days_until(day) as f64).clamp(0.0, total);
        LEFT + self.width() * at / total
    }
}

/// The words of a name that fit in `LABEL_CHARS` characters, with an ellipsis when some are left
/// out: whole words, so that what is seen stays part of the link's name.
fn short(name: &str) -> String {
    if name.chars().count() <= LABEL_CHARS {
        return name.to_owned();
    }
    let mut out = String::new();
    for word in name.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 >= LABEL_CHARS {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = name.chars().take(LABEL_CHARS - 1).collect();
    }
    out.push('…');
    out
}

/// Gives each entry, taken in order of its x, the first lane where it does not run into the
/// name of the entry before it. Returns the lane of each entry, in the order given, and how many
/// lanes there are.
fn lanes(xs: &[(f64, f64)]) -> (Vec<usize>, usize) {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|a, b| xs[*a].0.total_cmp(&xs[*b].0));
    let mut ends: Vec<f64> = Vec::new();
    let mut lane_of = vec![0; xs.len()];
    for i in order {
        let (x, end) = xs[i];
        match ends.iter().position(|e| *e <= x) {
            Some(l) => {
                ends[l] = end;
                lane_of[i] = l;
            }
            None => {
                ends.push(end);
                lane_of[i] = ends.len() - 1;
            }
        }
    }
    (lane_of, ends.len().max(1))
}

/// The shape of a mark at `(0, 0)`: a hollow circle to do, a ticked disc done, a warning triangle
/// overdue.
fn marker(out: &mut String, mark: Mark) {
    match mark {
        Mark::Open => out.push_str("<circle class=\"marker open\" r=\"6\"/>"),
        Mark::Done => out.push_str(
            "<circle class=\"marker done\" r=\"7\"/><path class=\"tick\" d=\"M-3.5 0l2.5 2.5l4.5-5\"/>",
        ),
        Mark::Overdue => out.push_str(
            "<polygon class=\"marker overdue\" points=\"0,-8 8,6 -8,6\"/>\
             <text class=\"bang\" y=\"4.5\" text-anchor=\"middle\">!</text>",
        ),
    }
}

/// Draws the timeline: `title` names it for screen readers, `id` starts the ids inside it.
pub fn timeline(id: &str, title: &str, rows: &[Row], today: Day) -> Svg {
    let frame = Frame::new(rows, today);
    let right = LEFT + frame.width();
    let width = right + 16.0;
    // Each row's lanes first: the rows' heights decide the chart's.
    let placed: Vec<(Vec<usize>, usize)> = rows
        .iter()
        .map(|r| {
            let xs: Vec<(f64, f64)> = r
                .entries
                .iter()
                .map(|e| {
                    let x = frame.x(e.day);
                    let label = short(&e.title).chars().count() as f64;
                    (x - 8.0, x + 12.0 + CHAR * label + 8.0)
                })
                .collect();
            lanes(&xs)
        })
        .collect();
    let heights: Vec<f64> = placed
        .iter()
        .map(|(_, n)| LANE * *n as f64 + 12.0)
        .collect();
    let bottom = TOP + heights.iter().sum::<f64>();
    let height = bottom + 40.0;
    let id = escape(id);
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" viewBox=\"0 0 {w} {h}\" \
         width=\"{w}\" height=\"{h}\" role=\"group\" aria-labelledby=\"{id}-title\">\
         <title id=\"{id}-title\">{}</title>",
        escape(title),
        w = number(width),
        h = number(height),
    );
    months(&mut out, &frame, bottom);
    // The rows: a band each, its name, the days the stage runs, then its entries.
    let mut top = TOP;
    for ((row, (lane_of, _)), h) in rows.iter().zip(&placed).zip(&heights) {
        draw_row(&mut out, &frame, row, lane_of, (top, *h), width);
        top += h;
    }
    today_line(&mut out, &frame, today, bottom);
    shapes_key(&mut out, bottom);
    out.push_str("</g></svg>");
    Svg::drawn(out)
}

/// The months, with a line at the start of each.
fn months(out: &mut String, frame: &Frame, bottom: f64) {
    out.push_str("<g class=\"months\" aria-hidden=\"true\">");
    for m in &frame.months {
        let x = frame.x(*m);
        let _ = write!(
            out,
            "<line class=\"month\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/>\
             <text class=\"month-label\" x=\"{}\" y=\"16\">{}</text>",
            number(22.0),
            number(bottom),
            number(x + 4.0),
            escape(&m.month_title()),
            x = number(x),
        );
    }
    out.push_str("</g>");
}

/// One row: its band and name, the days its stage runs, then its entries in their lanes.
fn draw_row(
    out: &mut String,
    frame: &Frame,
    row: &Row,
    lane_of: &[usize],
    (top, h): (f64, f64),
    width: f64,
) {
    let _ = write!(
        out,
        "<g class=\"row\"><rect class=\"band\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\" aria-hidden=\"true\"/>\
         <text class=\"row-name\" x=\"8\" y=\"{}\" aria-hidden=\"true\">{}</text>",
        number(top),
        number(width),
        number(h),
        number(top + 20.0),
        escape(&row.name),
    );
    if let Some((from, to)) = row.span {
        let (a, b) = (frame.x(from.min(to)), frame.x(from.max(to)));
        let _ = write!(
            out,
            "<rect class=\"span\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"4\" aria-hidden=\"true\"/>",
            number(a),
            number(top + 2.0),
            number((b - a).max(2.0)),
        );
    }
    for (entry, lane) in row.entries.iter().zip(lane_of) {
        let x = frame.x(entry.day);
        let y = top + 6.0 + LANE * *lane as f64 + LANE / 2.0;
        let name = format!(
            "{}. Due {}. {}.",
            entry.title.trim_end_matches('.'),
            entry.day,
            entry.mark.label()
        );
        let _ = write!(
            out,
            "<a class=\"entry {mark}\" href=\"{}\" aria-label=\"{name}\"><title>{name}</title>\
             <g transform=\"translate({} {})\">",
            escape(&entry.href),
            number(x),
            number(y),
            mark = entry.mark.as_str(),
            name = escape(&name),
        );
        marker(out, entry.mark);
        let _ = write!(
            out,
            "<text class=\"entry-label\" x=\"12\" y=\"4\">{}</text></g></a>",
            escape(&short(&entry.title))
        );
    }
    out.push_str("</g>");
}

/// Today, across every row.
fn today_line(out: &mut String, frame: &Frame, today: Day, bottom: f64) {
    let x = frame.x(today);
    let _ = write!(
        out,
        "<g class=\"today\" aria-hidden=\"true\"><line x1=\"{x}\" y1=\"22\" x2=\"{x}\" y2=\"{}\"/>\
         <text x=\"{x}\" y=\"36\" text-anchor=\"middle\">Today</text></g>",
        number(bottom),
        x = number(x),
    );
}

/// What the shapes mean.
fn shapes_key(out: &mut String, bottom: f64) {
    out.push_str("<g class=\"shapes-key\" aria-hidden=\"true\">");
    let mut at = 8.0;
    for mark in [Mark::Open, Mark::Done, Mark::Overdue] {
        let _ = write!(
            out,
            "<g class=\"entry {}\" transform=\"translate({} {})\">",
            mark.as_str(),
            number(at + 8.0),
            number(bottom + 22.0)
        );
        marker(out, mark);
        let _ = write!(
            out,
            "<text class=\"entry-label\" x=\"12\" y=\"4\">{}</text></g>",
            mark.label()
        );
        at += 110.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(raw: &str) -> Day {
        Day::parse(raw).expect("a day")
    }

    fn entry(title: &str, d: &str, mark: Mark) -> Entry {
        Entry {
            title: title.to_owned(),
            day: day(d),
            mark,
            href: format!("/items#{title}"),
        }
    }

    #[test]
    fn the_frame_runs_whole_months_around_every_day_and_today() {
        let rows = [Row {
            name: "Planning".into(),
            span: Some((day("2027-02-10"), day("2027-04-03"))),
            entries: vec![entry("a", "2027-03-15", Mark::Open)],
        }];
        let f = Frame::new(&rows, day("2027-01-20"));
        assert_eq!(f.start, day("2027-01-01"));
        // Half a year at least.
        assert_eq!(f.end, day("2027-07-01"));
        assert_eq!(f.months.len(), 6);
        assert_eq!(f.x(day("2027-01-01")), LEFT);
        assert_eq!(f.x(day("2027-07-01")), LEFT + 6.0 * MONTH);
        let long = Frame::new(
            &[Row {
                name: "Measuring".into(),
                span: None,
                entries: vec![entry("b", "2027-12-31", Mark::Open)],
            }],
            day("2027-01-20"),
        );
        assert_eq!(long.months.len(), 12);
        assert_eq!(long.end, day("2028-01-01"));
        // Days are spaced evenly: 2 March is as far from 1 March as 1 March from 28 February.
        let (a, b, c) = (
            f.x(day("2027-02-28")),
            f.x(day("2027-03-01")),
            f.x(day("2027-03-02")),
        );
        assert!(((b - a) - (c - b)).abs() < 1e-9);
    }

    #[test]
    fn entries_that_would_run_into_each_other_take_separate_lanes() {
        let (lane_of, count) =
            lanes(&[(0.0, 100.0), (50.0, 150.0), (120.0, 200.0), (300.0, 400.0)]);
        assert_eq!(lane_of, [0, 1, 0, 0]);
        assert_eq!(count, 2);
        assert_eq!(lanes(&[]).1, 1);
    }

    #[test]
    fn a_timeline_links_every_entry_and_tells_them_apart_by_shape_and_words() {
        let rows = [
            Row {
                name: "Awareness".into(),
                span: None,
                entries: vec![
                    entry("Brief <leadership>", "2027-01-05", Mark::Done),
                    entry("Find champions", "2027-01-10", Mark::Overdue),
                ],
            },
            Row {
                name: "Planning".into(),
                span: None,
                entries: vec![entry("Agree the goals", "2027-03-01", Mark::Open)],
            },
        ];
        let svg =
            timeline("roadmap", "The roadmap over time", &rows, day("2027-02-01")).to_string();
        assert!(svg.contains("role=\"group\" aria-labelledby=\"roadmap-title\""));
        assert!(!svg.contains("style="));
        assert!(!svg.contains("<leadership>"), "escaped: {svg}");
        assert_eq!(svg.matches("<a class=\"entry ").count(), 3);
        assert!(svg.contains(
            "<a class=\"entry overdue\" href=\"/items#Find champions\" aria-label=\"Find champions. Due 2027-01-10. Overdue.\""
        ));
        assert!(svg.contains("aria-label=\"Brief &lt;leadership&gt;. Due 2027-01-05. Done.\""));
        assert!(svg.contains("Agree the goals. Due 2027-03-01. To do."));
        assert!(svg.contains("class=\"marker overdue\""));
        assert!(svg.contains("class=\"marker done\""));
        assert!(svg.contains(">Today</text>"));
        for month in ["Jan 2027", "Feb 2027", "Mar 2027"] {
            assert!(svg.contains(&format!(">{month}</text>")), "{month}");
        }
        assert_eq!(
            short("Prepare a few slides on what career tracks will bring"),
            "Prepare a few slides on…"
        );
        assert_eq!(short("Find champions"), "Find champions");
    }
}
