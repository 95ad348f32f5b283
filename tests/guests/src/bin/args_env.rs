//! Prints its arguments and its complete environment (sorted), one per line.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("argc={}", args.len());
    for (i, a) in args.iter().enumerate() {
        println!("argv[{i}]={a}");
    }
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    println!("envc={}", vars.len());
    for (k, v) in vars {
        println!("{k}={v:?}");
    }
    match std::env::var("ABSENT") {
        Ok(_) => println!("ABSENT is set"),
        Err(_) => println!("ABSENT is not set"),
    }
}
