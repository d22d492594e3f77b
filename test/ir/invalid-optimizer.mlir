// RUN: nnc-opt %s -split-input-file -verify-diagnostics
//
// Verifier errors of nn.optimizer: the kind, the keys each kind accepts, the
// value kinds and ranges, and nesterov momentum.

// expected-error @+1 {{unknown optimizer 'adagrad' (expected sgd, rmsprop or adam)}}
nn.optimizer "adagrad" {lr = 0.01 : f64}

// -----

// expected-error @+1 {{unknown optimizer 'SGD' (expected sgd, rmsprop or adam)}}
nn.optimizer "SGD" {lr = 0.01 : f64}

// -----

// expected-error @+1 {{optimizer 'sgd' has no hyperparameter 'beta1'}}
nn.optimizer "sgd" {lr = 0.01 : f64, beta1 = 0.9 : f64}

// -----

// expected-error @+1 {{optimizer 'adam' has no hyperparameter 'momentum'}}
nn.optimizer "adam" {lr = 0.001 : f64, momentum = 0.9 : f64}

// -----

// expected-error @+1 {{optimizer 'adam' has no hyperparameter 'nesterov'}}
nn.optimizer "adam" {lr = 0.001 : f64, nesterov = false}

// -----

// expected-error @+1 {{optimizer 'rmsprop' has no hyperparameter 'dampening'}}
nn.optimizer "rmsprop" {lr = 0.01 : f64, dampening = 0.0 : f64}

// -----

// expected-error @+1 {{optimizer 'rmsprop' has no hyperparameter 'learning_rate'}}
nn.optimizer "rmsprop" {learning_rate = 0.01 : f64}

// -----

// expected-error @+1 {{'nesterov' must be a bool}}
nn.optimizer "sgd" {lr = 0.1 : f64, momentum = 0.9 : f64, nesterov = 1.0 : f64}

// -----

// expected-error @+1 {{'decoupled_weight_decay' must be a bool}}
nn.optimizer "adam" {lr = 0.001 : f64, decoupled_weight_decay = "yes"}

// -----

// expected-error @+1 {{'lr' must be a float}}
nn.optimizer "sgd" {lr = 1 : i64}

// -----

// expected-error @+1 {{'momentum' must be a float}}
nn.optimizer "sgd" {lr = 0.1 : f64, momentum = true}

// -----

// expected-error @+1 {{learning rate must be > 0, got 0.000000e+00}}
nn.optimizer "sgd" {lr = 0.0 : f64}

// -----

// expected-error @+1 {{learning rate must be > 0, got -1.000000e-02}}
nn.optimizer "adam" {lr = -0.01 : f64}

// -----

// expected-error @+1 {{'momentum' must be in [0, 1), got 1.000000e+00}}
nn.optimizer "sgd" {lr = 0.1 : f64, momentum = 1.0 : f64}

// -----

// expected-error @+1 {{'momentum' must be in [0, 1), got -1.000000e-01}}
nn.optimizer "rmsprop" {lr = 0.1 : f64, momentum = -0.1 : f64}

// -----

// expected-error @+1 {{'dampening' must be in [0, 1), got 1.500000e+00}}
nn.optimizer "sgd" {lr = 0.1 : f64, dampening = 1.5 : f64}

// -----

// expected-error @+1 {{'alpha' must be in [0, 1), got 1.000000e+00}}
nn.optimizer "rmsprop" {lr = 0.01 : f64, alpha = 1.0 : f64}

// -----

// expected-error @+1 {{'beta1' must be in [0, 1), got -5.000000e-01}}
nn.optimizer "adam" {lr = 0.001 : f64, beta1 = -0.5 : f64}

// -----

// expected-error @+1 {{'beta2' must be in [0, 1), got 1.000000e+00}}
nn.optimizer "adam" {lr = 0.001 : f64, beta2 = 1.0 : f64}

// -----

// expected-error @+1 {{'eps' must be > 0, got 0.000000e+00}}
nn.optimizer "adam" {lr = 0.001 : f64, eps = 0.0 : f64}

// -----

// expected-error @+1 {{'eps' must be > 0, got -1.000000e-08}}
nn.optimizer "rmsprop" {lr = 0.01 : f64, eps = -1.0e-08 : f64}

// -----

// expected-error @+1 {{'weight_decay' must be >= 0, got -5.000000e-01}}
nn.optimizer "adam" {weight_decay = -0.5 : f64}

// -----

// expected-error @+1 {{'weight_decay' must be >= 0, got -1.000000e-04}}
nn.optimizer "sgd" {lr = 0.1 : f64, weight_decay = -1.0e-04 : f64}

// -----

// expected-error @+1 {{nesterov momentum requires momentum > 0}}
nn.optimizer "sgd" {lr = 0.1 : f64, nesterov = true}

// -----

// expected-error @+1 {{nesterov momentum requires momentum > 0}}
nn.optimizer "sgd" {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = true}

// -----

// The boundary values of the ranges are accepted: zero rates, zero weight
// decay, nesterov = false without momentum, an empty dictionary.
nn.optimizer "sgd" {lr = 1.0e-06 : f64, momentum = 0.0 : f64, dampening = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64, decoupled_weight_decay = true}
nn.optimizer "rmsprop" {alpha = 0.0 : f64, momentum = 0.0 : f64}
nn.optimizer "adam" {beta1 = 0.0 : f64, beta2 = 0.0 : f64}
nn.optimizer "adam" {}
