//! The static HTML report: charts (plotters, inline SVG), image grids (inline PNG), the results
//! tables and conclusions computed from the numbers — one file that opens offline.

pub mod assemble;
pub mod charts;
pub mod html;
pub mod images;

pub use assemble::report_input;
pub use html::{render_report, write_report, ModelView, ReportInput};
