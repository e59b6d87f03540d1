"""`python -m bench.data --scale small`: the generator run against the app's configured database
(DATABASE_URL, or the SQLite file in instance/), with the app's settings, as `flask` would."""

from flask.cli import ScriptInfo

from bench.data.cli import bench_data_command
from tracker import create_app

if __name__ == "__main__":
    bench_data_command(obj=ScriptInfo(create_app=create_app), prog_name="python -m bench.data")
