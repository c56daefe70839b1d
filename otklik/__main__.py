from otklik.cli import main

raise SystemExit(main())
