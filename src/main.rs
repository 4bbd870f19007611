//! The `s3why` binary: parse the command line, dispatch, map the outcome to an exit status.
//! Everything else lives in the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
