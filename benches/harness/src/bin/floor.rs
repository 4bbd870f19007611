//! The floor of `benches/run.sh`: one thread reading an NDJSON file and parsing each line
//! into a `serde_json::Value`, and nothing else. Prints `records seconds records/s`.

use std::io::{BufRead, BufReader};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: floor FILE.ndjson")?;
    let started = Instant::now();
    let reader = BufReader::new(std::fs::File::open(&path)?);
    let mut records = 0u64;
    let mut objects = 0u64;
    for line in reader.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)?;
        // Use the value, so the parse cannot be optimised away.
        objects += u64::from(v.is_object());
        records += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!("floor: {objects} objects");
    println!("{records} {secs:.3} {:.0}", records as f64 / secs);
    Ok(())
}
