"""The class on one server: JupyterHub, nbgitpuller and nbgrader's exchange for nn-from-scratch.

``make hub`` (= ``python -m course_hub up``, as root) sets it up and starts it; ``make hub-stop`` (``down``) stops
everything it started. The pieces:

- ``settings``: what a hub is (addresses, users, limits, folders), saved as ``<hub dir>/hub.json``;
- ``setup``: the environment every user runs (a venv from Debian's Python, the proxy from npm, MNIST),
  the Unix users, the instructor's course directory, the exchange, the folder permissions;
- ``publish``: the student edition into a git repository for nbgitpuller (one commit per publication);
- ``jupyterhub_config``: the configuration JupyterHub loads; ``spawner``: LocalProcessSpawner plus per-user
  cgroup limits (``cgroups``); ``kernel``: the IPython extension every kernel loads (memory messages);
- ``exchange``: nbgrader's submit with a clear message for a closed assignment;
- ``process``: starting and stopping by PID; ``client``: the REST/websocket client the tests and the load
  benchmark use to act as students.

See docs/instructors.md, "Running the course on a JupyterHub".
"""
