"""JupyterHub's configuration for the class hub: ``jupyterhub -f <this file>``, with ``COURSE_HUB_SETTINGS`` naming
the hub's ``hub.json`` (``python -m course_hub up`` starts it so). Everything variable comes from there."""
import os

from course_hub.settings import HubSettings

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file
s = HubSettings.load(os.environ["COURSE_HUB_SETTINGS"])

# ---- where the hub listens, and its state ----
c.JupyterHub.ip = s.ip
c.JupyterHub.port = s.port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = s.hub_port
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [str(s.proxy_command)]
c.ConfigurableHTTPProxy.pid_file = str(s.proxy_pid_file)
c.JupyterHub.pid_file = str(s.hub_pid_file)
c.JupyterHub.db_url = f"sqlite:///{s.private_dir}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = str(s.private_dir / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server (and the proxy it started)

# ---- who may log in: the local Unix accounts of the class, checked by PAM ----
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False  # no login session bookkeeping (systemd-logind) for notebook servers
c.Authenticator.allowed_users = set(s.users)
c.Authenticator.admin_users = {s.instructor}

# ---- each user's server: their own Unix account, the shared environment, limits ----
c.JupyterHub.spawner_class = "course_hub.spawner.CourseSpawner"
c.Spawner.cmd = [str(s.venv / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.args = [
    f"--MappingKernelManager.cull_idle_timeout={s.kernel_idle_minutes * 60}",  # idle kernels give memory back
    "--MappingKernelManager.cull_interval=300",
    "--LabApp.expose_app_in_browser=True",  # window.jupyterapp, for the browser tests; harmless
]
c.Spawner.environment = s.user_environment()
# passed through unchanged from the hub's environment (the machine's BLAS settings stay the machine's)
c.Spawner.env_keep = ["LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]
c.Spawner.mem_limit = s.mem_limit_mb * 2**20
c.Spawner.cpu_limit = s.cpu_limit
c.CourseSpawner.pids_max = s.pids_max
c.CourseSpawner.cgroup_parents = s.cgroups
c.CourseSpawner.instructors = {s.instructor}
c.CourseSpawner.student_jupyter_config = str(s.student_config_dir)
c.Spawner.start_timeout = 120  # a busy 2-core machine starts ten servers slowly
c.Spawner.http_timeout = 120
