"""numtorch.vision.datasets.utils: downloads (short timeout, clear offline errors), archives, file checks."""
import gzip
import hashlib
import os
import socket
import tarfile
import tempfile
import threading
import urllib.parse
import urllib.request
import zipfile

_TIMEOUT_S = 10


def _pil_image():
    """Return ``PIL.Image``, or raise a clear ImportError when Pillow is missing."""
    try:
        from PIL import Image
    except ImportError as err:
        raise ImportError("numtorch.vision needs Pillow for images: pip install 'numtorch[vision]' "
                          "(or pip install pillow)") from err
    return Image


def calculate_md5(fpath, chunk_size=1024 * 1024):
    """Return the hex MD5 digest of a file."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    """Whether the file's MD5 digest equals ``md5``."""
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    """Whether ``fpath`` is a file and, when ``md5`` is given, has that digest."""
    if not os.path.isfile(fpath):
        return False
    return True if md5 is None else check_md5(fpath, md5)


def iterable_to_str(iterable):
    """Quote and comma-join the items, as in error messages."""
    return "'" + "', '".join(str(item) for item in iterable) + "'"


def verify_str_arg(value, arg=None, valid_values=None, custom_msg=None):
    """Check that ``value`` is a str and one of ``valid_values``; raise ValueError otherwise."""
    if not isinstance(value, str):
        where = "" if arg is None else f" for argument {arg}"
        raise ValueError(f"Expected type str{where}, but got type {type(value)}.")
    if valid_values is None or value in valid_values:
        return value
    if custom_msg is None:
        custom_msg = (f"Unknown value '{value}' for argument {arg}. "
                      f"Valid values are {{{iterable_to_str(valid_values)}}}.")
    raise ValueError(custom_msg)


def list_dir(root, prefix=False):
    """List the directories in ``root`` (joined to it when ``prefix``)."""
    names = [p for p in os.listdir(root) if os.path.isdir(os.path.join(root, p))]
    return [os.path.join(root, d) for d in names] if prefix else names


def list_files(root, suffix, prefix=False):
    """List the files in ``root`` ending with ``suffix`` (joined to it when ``prefix``)."""
    names = [p for p in os.listdir(root) if os.path.isfile(os.path.join(root, p)) and p.endswith(suffix)]
    return [os.path.join(root, d) for d in names] if prefix else names


def _offline_error(what, places, cause=None):
    # The message lists every file with its source URL and where to put it, since there is no network.
    lines = [f"Could not download {what}" + (f" ({cause})" if cause else "") + ".",
             "Download these files on a machine with network access and place them as shown:"]
    lines += [f"  {url}  ->  {dest}" for url, dest in places]
    return RuntimeError("\n".join(lines))


def _resolve_host(url):
    # urlopen's timeout does not cover name resolution, which can stall for long on a machine without
    # network; resolving in a daemon thread bounds that wait too
    host = urllib.parse.urlsplit(url).hostname
    result = {}

    def lookup():
        try:
            socket.getaddrinfo(host, None)
        except OSError as err:
            result["error"] = err

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(_TIMEOUT_S)
    if worker.is_alive():
        raise OSError(f"name resolution for {host} timed out")
    if "error" in result:
        raise result["error"]


def download_url(url, root, filename=None, md5=None):
    """Download ``url`` into ``root/filename`` unless an intact copy is there (short timeout)."""
    root = os.path.expanduser(root)
    filename = filename or os.path.basename(url)
    fpath = os.path.join(root, filename)
    if check_integrity(fpath, md5):
        return fpath
    os.makedirs(root, exist_ok=True)
    try:
        _resolve_host(url)
        with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as resp:
            fd, tmp = tempfile.mkstemp(dir=root, prefix=".part-")
            with os.fdopen(fd, "wb") as out:
                for chunk in iter(lambda: resp.read(1 << 20), b""):
                    out.write(chunk)
        os.replace(tmp, fpath)
    except OSError as err:
        raise _offline_error(filename, [(url, fpath)], err) from err
    if not check_integrity(fpath, md5):
        # a bad copy left in place would pass the presence checks of the next run
        os.remove(fpath)
        raise RuntimeError(f"File not found or corrupted: {url} (MD5 mismatch).")
    return fpath


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Extract a .tar(.gz/.bz2/.xz), .tgz, .zip or .gz archive; return the extraction folder."""
    to_path = os.path.dirname(from_path) if to_path is None else to_path
    name = from_path.lower()
    if name.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz")):
        with tarfile.open(from_path, "r:*") as tar:
            # The "data" filter refuses absolute paths and links out of the tree where Python has it.
            kw = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(to_path, **kw)
    elif name.endswith(".zip"):
        with zipfile.ZipFile(from_path) as zf:
            zf.extractall(to_path)
    elif name.endswith(".gz"):
        out = os.path.join(to_path, os.path.basename(from_path)[:-3])
        with gzip.open(from_path, "rb") as src:
            _atomic_write(out, src.read())
    else:
        raise RuntimeError(f"Extraction of {from_path} not supported")
    if remove_finished:
        os.remove(from_path)
    return to_path


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False):
    """Download an archive (or reuse a local copy) and extract it."""
    fpath = download_url(url, download_root, filename, md5)
    return extract_archive(fpath, extract_root or download_root, remove_finished)


def _atomic_write(path, data):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".part-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)
