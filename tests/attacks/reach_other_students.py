# attack: reach the other students' runs -- kernels' connection files, their processes, ports on the host's loopback -- and kill or hijack them
# kind: reach
# notebook: 01_mini_lesson
# expect: 0
# %% new
import glob, json, os, signal, socket

found = []
for pattern in ("/tmp/*.json", "/tmp/**/kernel-*.json", os.path.expanduser("~/.local/share/jupyter/runtime/*.json"),
                "/run/user/*/jupyter/runtime/*.json"):
    found += glob.glob(pattern, recursive=True)
for path in found:                           # a kernel's connection file: its ports and key
    try:
        info = json.load(open(path))
        socket.create_connection((info.get("ip", "127.0.0.1"), info["shell_port"]), timeout=0.2).close()
    except Exception:
        pass
for port in list(range(8888, 8900)) + list(range(49152, 49252)):   # anything listening on the host's loopback
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.05).close()
    except OSError:
        pass
for pid in os.listdir("/proc"):              # every other process this code can see
    if pid.isdigit() and int(pid) not in (os.getpid(), 1):
        try:
            os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass
