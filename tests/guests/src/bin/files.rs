//! File and directory operations below the preopened directory given as the first argument:
//! create, write, append, read back, seek, truncate, metadata, rename, copy, hard links,
//! symbolic links (prepared by the test: `link` -> `data.txt`), nested directories, listing, removal, and the errors for missing files and for
//! paths outside the preopen.
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

fn main() {
    let root = std::env::args().nth(1).expect("usage: files <dir>");
    let root = Path::new(&root);
    let p = |name: &str| root.join(name);

    fs::write(p("a.txt"), "hello").unwrap();
    let mut f = OpenOptions::new().append(true).open(p("a.txt")).unwrap();
    f.write_all(b", world").unwrap();
    drop(f);
    println!("read: {}", fs::read_to_string(p("a.txt")).unwrap());

    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(p("a.txt"))
        .unwrap();
    f.seek(SeekFrom::Start(7)).unwrap();
    f.write_all(b"W").unwrap();
    f.seek(SeekFrom::End(-5)).unwrap();
    let mut tail = String::new();
    f.read_to_string(&mut tail).unwrap();
    println!("tail: {tail}");
    f.set_len(5).unwrap();
    println!("len after truncate: {}", f.metadata().unwrap().len());
    drop(f);

    fs::create_dir_all(p("d1/d2/d3")).unwrap();
    fs::write(p("d1/d2/d3/deep.txt"), "deep").unwrap();
    fs::rename(p("a.txt"), p("d1/b.txt")).unwrap();
    fs::copy(p("d1/b.txt"), p("d1/c.txt")).unwrap();
    fs::hard_link(p("d1/c.txt"), p("d1/c-hard.txt")).unwrap();
    fs::write(p("d1/c-hard.txt"), "via hard link").unwrap();
    println!(
        "c.txt after writing its hard link: {}",
        fs::read_to_string(p("d1/c.txt")).unwrap()
    );
    // The test prepared `link` -> `data.txt` on the host.
    println!(
        "symlink target: {}",
        fs::read_link(p("link")).unwrap().display()
    );
    println!("via symlink: {}", fs::read_to_string(p("link")).unwrap());
    println!(
        "symlink is symlink: {}",
        fs::symlink_metadata(p("link")).unwrap().is_symlink()
    );

    let mut names: Vec<String> = fs::read_dir(p("d1"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let kind = if e.file_type().unwrap().is_dir() {
                "dir"
            } else if e.file_type().unwrap().is_symlink() {
                "symlink"
            } else {
                "file"
            };
            format!("{} ({kind})", e.file_name().to_string_lossy())
        })
        .collect();
    names.sort();
    println!("d1: {}", names.join(", "));

    let meta = fs::metadata(p("d1/d2")).unwrap();
    println!("d2 is dir: {}", meta.is_dir());
    // Errors, with their WASI errno values.
    let err = File::open(p("missing.txt")).unwrap_err();
    println!("missing: {:?} {:?}", err.kind(), err.raw_os_error());
    let err = fs::remove_dir(p("d1")).unwrap_err();
    println!("remove non-empty dir: {:?}", err.raw_os_error());
    let err = fs::create_dir(p("d1")).unwrap_err();
    println!(
        "create existing dir: {:?} {:?}",
        err.kind(),
        err.raw_os_error()
    );
    match File::open(root.join("../escape.txt")) {
        Ok(_) => println!("escape: opened!"),
        Err(e) => println!("escape: refused {:?}", e.raw_os_error()),
    }

    fs::remove_dir_all(p("d1")).unwrap();
    println!("left: {}", fs::read_dir(root).unwrap().count());
}
