"""WSGI entry point: ``flask --app server run``, ``granian --interface wsgi server:app``, or
``python server.py``, which serves as ``gfmd-kg serve`` does (settings from the environment)."""

if __name__ == "__main__":
    from gfmd_kg.serve import serve

    serve({})
else:
    from gfmd_kg.web import create_app

    app = create_app()
