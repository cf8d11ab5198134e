//! Charts as inline SVG strings (plotters' SVG backend), so the report is one offline file.

use plotters::prelude::*;

use crate::Error;

const W: u32 = 520;
const H: u32 = 300;
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// A colour per series index.
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn draw_err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Invalid(format!("chart: {e:?}"))
}

/// Range with a margin, never empty (a single value gets a unit-wide window).
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        return (lo - 0.5, hi + 0.5);
    }
    let m = (hi - lo) * 0.08;
    (lo - m, hi + m)
}

/// Bars of per-cluster silhouette (empty clusters drawn as gaps).
pub fn silhouette_bars(title: &str, per_cluster: &[Option<f64>]) -> Result<String, Error> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W / 2 + 40, H - 60)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let vals: Vec<f64> = per_cluster.iter().flatten().copied().collect();
        let lo = vals.iter().cloned().fold(0.0, f64::min).min(-0.05);
        let hi = vals.iter().cloned().fold(0.0, f64::max).max(0.05);
        let k = per_cluster.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 13))
            .margin(6)
            .x_label_area_size(22)
            .y_label_area_size(38)
            .build_cartesian_2d((0..k).into_segmented(), lo * 1.1..hi * 1.1)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("cluster")
            .label_style(("sans-serif", 10))
            .draw()
            .map_err(draw_err)?;
        chart
            .draw_series(per_cluster.iter().enumerate().filter_map(|(c, v)| {
                v.map(|v| {
                    let col = if v >= 0.0 { colour(0) } else { colour(3) };
                    Rectangle::new(
                        [
                            (SegmentValue::Exact(c), 0.0),
                            (SegmentValue::Exact(c + 1), v),
                        ],
                        col.filled(),
                    )
                })
            }))
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// One point of the silhouette–objective scatter.
pub struct ScatterPoint {
    pub x: f64,
    pub y: f64,
    /// Series (one colour and legend entry each).
    pub series: String,
    /// Pixel-space baseline points are drawn as crosses.
    pub baseline: bool,
}

/// Scatter of points grouped by series; baseline points are crosses.
pub fn scatter(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    points: &[ScatterPoint],
) -> Result<String, Error> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, H + 40)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (x0, x1) = padded(
            points.iter().map(|p| p.x).fold(f64::INFINITY, f64::min),
            points.iter().map(|p| p.x).fold(f64::NEG_INFINITY, f64::max),
        );
        let (y0, y1) = padded(
            points.iter().map(|p| p.y).fold(f64::INFINITY, f64::min),
            points.iter().map(|p| p.y).fold(f64::NEG_INFINITY, f64::max),
        );
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 14))
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(52)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_label_formatter(&|v| super::super::experiment::results::sig(*v, 3))
            .label_style(("sans-serif", 10))
            .draw()
            .map_err(draw_err)?;
        let mut names: Vec<&str> = Vec::new();
        for p in points {
            if !names.contains(&p.series.as_str()) {
                names.push(&p.series);
            }
        }
        for (i, name) in names.iter().enumerate() {
            let c = colour(i);
            let pts: Vec<&ScatterPoint> = points.iter().filter(|p| p.series == *name).collect();
            chart
                .draw_series(pts.iter().map(|p| {
                    if p.baseline {
                        Cross::new((p.x, p.y), 5, c.stroke_width(2)).into_dyn()
                    } else {
                        Circle::new((p.x, p.y), 4, c.filled()).into_dyn()
                    }
                }))
                .map_err(draw_err)?
                .label(name.to_string())
                .legend(move |(x, y)| Circle::new((x, y), 4, c.filled()));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 10))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Horizontal stacked bars: one row per label, one segment per phase.
pub fn stacked_bars(
    title: &str,
    phases: &[&str],
    rows: &[(String, Vec<f64>)],
) -> Result<String, Error> {
    let mut svg = String::new();
    {
        let height = 60 + 18 * rows.len() as u32 + 30;
        let root =
            SVGBackend::with_string(&mut svg, (W + 140, height.max(160))).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let max = rows
            .iter()
            .map(|(_, v)| v.iter().sum::<f64>())
            .fold(0.0, f64::max)
            .max(1e-6);
        let n = rows.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 14))
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(150)
            .build_cartesian_2d(0.0..max * 1.05, (0..n).into_segmented())
            .map_err(draw_err)?;
        let labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc("seconds (mean over seeds)")
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .label_style(("sans-serif", 10))
            .draw()
            .map_err(draw_err)?;
        for (pi, phase) in phases.iter().enumerate() {
            let c = colour(pi);
            chart
                .draw_series(rows.iter().enumerate().map(|(ri, (_, v))| {
                    let start: f64 = v[..pi].iter().sum();
                    Rectangle::new(
                        [
                            (start, SegmentValue::Exact(ri)),
                            (start + v[pi], SegmentValue::Exact(ri + 1)),
                        ],
                        c.filled(),
                    )
                }))
                .map_err(draw_err)?
                .label(phase.to_string())
                .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 8, y + 4)], c.filled()));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 10))
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Lines over a shared x (e.g. loss per epoch).
pub fn lines(
    title: &str,
    x_desc: &str,
    y_desc: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> Result<String, Error> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W / 2 + 80, H - 20)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let all: Vec<(f64, f64)> = series.iter().flat_map(|s| s.1.iter().copied()).collect();
        let (x0, x1) = padded(
            all.iter().map(|p| p.0).fold(f64::INFINITY, f64::min),
            all.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max),
        );
        let (y0, y1) = padded(
            all.iter().map(|p| p.1).fold(f64::INFINITY, f64::min),
            all.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max),
        );
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 13))
            .margin(6)
            .x_label_area_size(30)
            .y_label_area_size(48)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style(("sans-serif", 10))
            .draw()
            .map_err(draw_err)?;
        for (i, (name, pts)) in series.iter().enumerate() {
            let c = colour(i);
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(2)))
                .map_err(draw_err)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 12, y)], c.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 10))
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_svg(s: &str) -> bool {
        s.starts_with("<svg") && s.trim_end().ends_with("</svg>") && !s.contains("NaN")
    }

    #[test]
    fn charts_render_for_edge_cases() {
        // One empty cluster, one negative bar.
        assert!(is_svg(
            &silhouette_bars("t", &[Some(0.2), None, Some(-0.1)]).unwrap()
        ));
        // All clusters empty.
        assert!(is_svg(&silhouette_bars("t", &[None, None]).unwrap()));
        // A single point (one seed, one model) and a degenerate range.
        let one = [ScatterPoint {
            x: 5.0,
            y: 0.1,
            series: "classic".into(),
            baseline: false,
        }];
        assert!(is_svg(&scatter("s", "x", "y", &one).unwrap()));
        assert!(is_svg(&scatter("s", "x", "y", &[]).unwrap()));
        assert!(is_svg(
            &stacked_bars("t", &["a", "b"], &[("only".into(), vec![0.0, 0.0])]).unwrap()
        ));
        assert!(is_svg(
            &lines("l", "x", "y", &[("a".into(), vec![(1.0, 0.5)])]).unwrap()
        ));
    }
}
