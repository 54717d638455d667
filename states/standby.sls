# appliance:standby: true in the env: the highstate applies nothing but this notice.
appliance-standby:
  test.show_notification:
    - text: 'appliance:standby is true: nothing is applied (set it to false in the env to run the appliance states)'
