//! The Rego baseline of `benches/run.sh`: `benches/rego/s3why.rego`, loaded once into a
//! `regorus::Engine`, evaluated on every NDJSON record (`data.s3why.allowed`), on
//! `--jobs N` threads (one engine clone each, so it may use every core as s3why does).
//! Prints `records seconds records/s`; `--decisions FILE` writes one `allowed`/`denied`
//! line per record, to check that the Rego agrees with s3why.

use std::io::{BufRead, BufReader, Write};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut policy, mut input, mut jobs, mut decisions) = (None, None, 1usize, None);
    // `--print RULE` evaluates one more rule on each record and prints it (to debug the Rego).
    let mut print = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--jobs" => jobs = args.next().ok_or("--jobs N")?.parse()?,
            "--decisions" => decisions = Some(args.next().ok_or("--decisions FILE")?),
            "--print" => print = Some(args.next().ok_or("--print RULE")?),
            _ if policy.is_none() => policy = Some(a),
            _ => input = Some(a),
        }
    }
    let usage = "usage: rego POLICY.rego FILE.ndjson [--jobs N] [--decisions FILE]";
    let (policy, input) = (policy.ok_or(usage)?, input.ok_or(usage)?);
    let started = Instant::now();
    let mut engine = regorus::Engine::new();
    engine.add_policy(policy.clone(), std::fs::read_to_string(&policy)?)?;
    let lines: Vec<String> = BufReader::new(std::fs::File::open(&input)?)
        .lines()
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let jobs = jobs.max(1);
    let chunk = lines.len().div_ceil(jobs).max(1);
    let results: Vec<Result<Vec<bool>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = lines
            .chunks(chunk)
            .map(|part| {
                let mut engine = engine.clone();
                let print = print.clone();
                s.spawn(move || -> Result<Vec<bool>, String> {
                    let mut out = Vec::with_capacity(part.len());
                    for line in part {
                        engine.set_input_json(line).map_err(|e| e.to_string())?;
                        let v = engine
                            .eval_rule("data.s3why.allowed".to_string())
                            .map_err(|e| e.to_string())?;
                        out.push(v == regorus::Value::from(true));
                        if let Some(rule) = &print {
                            let p = engine.eval_rule(rule.clone()).map_err(|e| e.to_string())?;
                            eprintln!("{rule}: {p}");
                        }
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("a thread panicked".into())))
            .collect()
    });
    let mut all = Vec::with_capacity(lines.len());
    for r in results {
        all.extend(r?);
    }
    let secs = started.elapsed().as_secs_f64();
    if let Some(path) = decisions {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        for allowed in &all {
            writeln!(f, "{}", if *allowed { "allowed" } else { "denied" })?;
        }
    }
    let allowed = all.iter().filter(|a| **a).count();
    eprintln!("rego: {allowed} allowed, {} denied", all.len() - allowed);
    println!("{} {secs:.3} {:.0}", all.len(), all.len() as f64 / secs);
    Ok(())
}
