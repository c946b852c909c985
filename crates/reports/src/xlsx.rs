//! The XLSX download: a summary sheet of figures and a sheet of the classified clocks behind
//! them. Numbers are written as numbers; text is written as text, never as a formula.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::csv_out::{FIGURE_COLUMNS, LINE_COLUMNS, figure_rows, line_cells};
use crate::{OnTimeReport, ReportError};

fn sheet(
    ws: &mut Worksheet,
    name: &str,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
    numeric_from: u16,
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let bold = Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell.parse::<f64>() {
                Ok(n)
                    if c >= numeric_from
                        && cell.chars().all(|ch| ch.is_ascii_digit() || ch == '.') =>
                {
                    ws.write_number(r, c, n)?;
                }
                _ if cell.is_empty() => {}
                _ => {
                    ws.write_string(r, c, cell)?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The report as an XLSX workbook: 汇总 Summary, then 案件 Cases (the lines).
pub fn xlsx(r: &OnTimeReport) -> Result<Vec<u8>, ReportError> {
    let err = |e: XlsxError| ReportError::Xlsx(e.to_string());
    let mut wb = Workbook::new();
    sheet(
        wb.add_worksheet(),
        "汇总 Summary",
        &FIGURE_COLUMNS,
        figure_rows(r).into_iter(),
        3,
    )
    .map_err(err)?;
    sheet(
        wb.add_worksheet(),
        "案件 Cases",
        &LINE_COLUMNS,
        r.lines.iter().map(line_cells),
        16,
    )
    .map_err(err)?;
    wb.save_to_buffer().map_err(err)
}
