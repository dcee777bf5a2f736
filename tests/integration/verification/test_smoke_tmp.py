def test_smoke(world):
    print(world.statuses())
    for n in world.ids:
        print(world.verdict(n).verdict)
    world.register_signers()
    world.anchor()
    print(world.statuses())
    print(world.statuses(fresh=True))
    print(world.verdict("h1").verdict)
