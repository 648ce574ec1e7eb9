//! The charts' geometry and markup.

use super::line::*;
use super::radar::*;
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
                .map(|t| &t[t.find('>').expect("open") + 1..t.find("</tspan>").expect("closed")])
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
