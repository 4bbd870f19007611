//! The `s3why` binary: parse the command line, dispatch, map the outcome to an exit status.
//! Everything else lives in the library.

mod cli;

// mimalloc: evaluation allocates many small, short-lived values (policies, traces, rule
// values); glibc malloc took about 40% of the CPU of a batch (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
